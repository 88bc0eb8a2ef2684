/**
 * MCP servers as configured, in the `mcpServers` shape other clients use (Claude Code's
 * .mcp.json, Cursor, VS Code): stdio servers by command, args and env, streamable HTTP servers by
 * url and headers. PyAgent's own keys (approval, tools, include, exclude, timeoutMs) sit beside
 * them; other clients ignore them, so one file serves every client.
 *
 * Three files, first match by name wins: the repository's `.pyagent/mcp.json`, its `.mcp.json`,
 * then the user's `mcp.json` beside the user config. A server from the repository runs only once
 * the user approved it (see approvals.ts).
 */
import {existsSync, mkdirSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import writeFileAtomic from 'write-file-atomic'
import {z} from 'zod'

import {userConfigPath} from '../config/load.js'
import {McpConfigError} from './errors.js'

export const TOOL_POLICIES = ['allow', 'ask', 'deny'] as const
export type ToolPolicy = (typeof TOOL_POLICIES)[number]

const policy = z.enum(TOOL_POLICIES)

/** PyAgent's keys, the same on both transports. */
const pyagentKeys = {
  approval: policy.optional().describe('Calls to this server\'s tools: allow, ask (default) or deny'),
  tools: z.record(z.string(), policy).optional().describe('Per tool, overriding approval'),
  include: z.array(z.string()).optional().describe('Only these tools are offered'),
  exclude: z.array(z.string()).optional().describe('These tools are never offered'),
  timeoutMs: z.number().int().positive().optional().describe('Longest wait for one tool call'),
}

const stdioServer = z.looseObject({
  type: z.literal('stdio').optional(),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().optional(),
  ...pyagentKeys,
})

const httpServer = z.looseObject({
  type: z.enum(['http', 'streamable-http', 'streamableHttp']).optional(),
  url: z.url({protocol: /^https?$/}),
  headers: z.record(z.string(), z.string()).default({}),
  ...pyagentKeys,
})

const serverSchema = z.union([stdioServer, httpServer])
export type McpServerConfig = z.infer<typeof serverSchema>
export type StdioServerConfig = z.infer<typeof stdioServer>

const fileSchema = z.looseObject({mcpServers: z.record(z.string(), z.unknown()).default({})})

export type ServerScope = 'repository' | 'user'

export interface ConfiguredServer {
  name: string
  scope: ServerScope
  /** The file that defines it. */
  file: string
  config: McpServerConfig
}

export function isStdio(config: McpServerConfig): config is StdioServerConfig {
  return 'command' in config
}

export function userMcpPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(userConfigPath(env)), 'mcp.json')
}

export function repoMcpPath(root: string): string {
  return join(root, '.pyagent', 'mcp.json')
}

/** The files read, in precedence order. */
function sources(root: string, env: NodeJS.ProcessEnv): {file: string; scope: ServerScope}[] {
  return [
    {file: repoMcpPath(root), scope: 'repository'},
    {file: join(root, '.mcp.json'), scope: 'repository'},
    {file: userMcpPath(env), scope: 'user'},
  ]
}

/** Server names become the prefix of tool names (`server__tool`), which models accept only in this alphabet. */
const SERVER_NAME = /^[A-Za-z0-9_-]{1,32}$/

function readServers(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new McpConfigError(`${file} cannot be read as JSON: ${(error as Error).message}`, {cause: error})
  }
  const shaped = fileSchema.safeParse(parsed)
  if (!shaped.success) throw new McpConfigError(`${file} is not an MCP configuration: it needs an "mcpServers" object`)
  return shaped.data.mcpServers
}

export function parseServer(name: string, raw: unknown, where: string): McpServerConfig {
  if (!SERVER_NAME.test(name)) throw new McpConfigError(`${where}: the server name "${name}" may hold only letters, digits, _ and - (at most 32)`)
  const parsed = serverSchema.safeParse(raw)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(entry)'}: ${issue.message}`).join('; ')
    throw new McpConfigError(`${where}: server "${name}" needs a command (stdio) or an http(s) url: ${issues}`)
  }
  return parsed.data
}

/** Every configured server, the first definition of each name winning. */
export function configuredServers(root: string, env: NodeJS.ProcessEnv = process.env): ConfiguredServer[] {
  const found = new Map<string, ConfiguredServer>()
  for (const {file, scope} of sources(root, env)) {
    for (const [name, raw] of Object.entries(readServers(file))) {
      if (!found.has(name)) found.set(name, {name, scope, file, config: parseServer(name, raw, file)})
    }
  }
  return [...found.values()]
}

export function findServer(root: string, name: string, env: NodeJS.ProcessEnv = process.env): ConfiguredServer | undefined {
  return configuredServers(root, env).find((server) => server.name === name)
}

/** Writes or (config undefined) removes one server in one file, keeping everything else the file holds. */
export function writeServer(file: string, name: string, config: McpServerConfig | undefined): boolean {
  const servers = {...readServers(file)}
  const current = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {}
  const had = name in servers
  if (config) servers[name] = config
  else delete servers[name]
  if (!config && !had) return false
  mkdirSync(dirname(file), {recursive: true})
  writeFileAtomic.sync(file, `${JSON.stringify({...current, mcpServers: servers}, null, 2)}\n`, {fsync: true})
  return true
}
