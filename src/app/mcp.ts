/**
 * `pyagent mcp …`, wired once: the configured servers with their approval, adding and removing
 * one in the file of the scope asked for, and testing one (connect, list its tools and their
 * schemas) — which is also where a server the repository defines is approved.
 */
import {type ApprovalState, approvalState, approveServer} from '../mcp/approvals.js'
import {connectServer} from '../mcp/client.js'
import {type ConfiguredServer, configuredServers, findServer, isStdio, type McpServerConfig, parseServer, repoMcpPath, type ServerScope, type ToolPolicy, userMcpPath, writeServer} from '../mcp/config.js'
import {McpServerError, McpUnapprovedError} from '../mcp/errors.js'
import {compileArgumentCheck} from '../mcp/input-schema.js'
import {namespacedName, toolPolicy} from '../mcp/policy.js'
import {forgetApproval} from '../state/mcp-approvals.js'
import {openState, openStateAt, openStateForReading, type StateDb} from '../state/db.js'

export interface ServerView {
  name: string
  scope: ServerScope
  file: string
  transport: 'stdio' | 'http'
  /** The command line, or the url. */
  launch: string
  approval: ApprovalState
  config: McpServerConfig
}

function launchOf(config: McpServerConfig): string {
  return isStdio(config) ? [config.command, ...config.args].join(' ') : config.url
}

function view(db: StateDb, server: ConfiguredServer): ServerView {
  return {
    name: server.name,
    scope: server.scope,
    file: server.file,
    transport: isStdio(server.config) ? 'stdio' : 'http',
    launch: launchOf(server.config),
    approval: approvalState(db, server),
    config: server.config,
  }
}

function withDb<T>(db: StateDb, job: (db: StateDb) => T): T {
  try {
    return job(db)
  } finally {
    db.close()
  }
}

export function listServers(root: string): ServerView[] {
  const servers = configuredServers(root)
  // Where PyAgent never ran, nothing was approved: an empty database answers so.
  return withDb(openStateForReading(root) ?? openStateAt(':memory:'), (db) => servers.map((server) => view(db, server)))
}

/** Writes the server into the scope's file; one you add to the repository yourself counts as approved. */
export function addServer(root: string, options: {name: string; scope: ServerScope; raw: unknown}): ServerView {
  const file = options.scope === 'user' ? userMcpPath() : repoMcpPath(root)
  const config = parseServer(options.name, options.raw, 'pyagent mcp add')
  writeServer(file, options.name, config)
  const server: ConfiguredServer = {name: options.name, scope: options.scope, file, config}
  return withDb(openState(root), (db) => {
    if (options.scope === 'repository') approveServer(db, server)
    return view(db, server)
  })
}

/** Removes the server from the file that defines it (of the scope given, if one is). */
export function removeServer(root: string, name: string, scope?: ServerScope): {name: string; file: string} {
  const files = scope === 'user' ? [userMcpPath()] : scope === 'repository' ? [repoMcpPath(root)] : [repoMcpPath(root), userMcpPath()]
  const file = files.find((candidate) => writeServer(candidate, name, undefined))
  if (!file) {
    const elsewhere = findServer(root, name)
    const hint = elsewhere ? `; it is defined in ${elsewhere.file}, which pyagent does not edit` : ''
    throw new McpServerError(`No MCP server "${name}" in ${files.join(' or ')}${hint}`)
  }
  withDb(openState(root), (db) => forgetApproval(db, name))
  return {name, file}
}

export interface TestedTool {
  name: string
  /** The name the agent calls it by. */
  agentName: string
  description: string
  policy: ToolPolicy
  inputSchema: Record<string, unknown>
  /** Why the tool cannot be offered (a schema that does not compile). */
  problem?: string
}

export interface TestReport {
  server: ServerView
  tools: TestedTool[]
  ms: number
}

/**
 * Connects to the server and lists its tools. A server the repository defines is started only
 * when it is approved already, or `approve` says to approve it now.
 */
export async function testServer(root: string, name: string, options: {approve: boolean}): Promise<TestReport> {
  const server = findServer(root, name)
  if (!server) throw new McpServerError(`No MCP server named "${name}" is configured (see \`pyagent mcp list\`)`)
  const shown = withDb(openState(root), (db) => {
    const state = approvalState(db, server)
    if ((state === 'unapproved' || state === 'changed') && options.approve) approveServer(db, server)
    else if (state === 'unapproved' || state === 'changed') {
      const why = state === 'changed' ? 'its command changed since you approved it' : 'the repository defines it and you have not approved it'
      throw new McpUnapprovedError(`MCP server "${name}" (${server.file}) runs \`${launchOf(server.config)}\`; ${why}. Add --approve to approve it and test it.`)
    }
    return view(db, server)
  })
  const started = performance.now()
  const connection = await connectServer(name, server.config, {cwd: root})
  try {
    const tools = (await connection.listTools()).map((tool): TestedTool => {
      let problem: string | undefined
      try {
        compileArgumentCheck(tool.inputSchema)
      } catch (error) {
        problem = (error as Error).message
      }
      return {
        name: tool.name,
        agentName: namespacedName(name, tool.name),
        description: tool.description,
        policy: toolPolicy(server.config, tool.name),
        inputSchema: tool.inputSchema,
        ...(problem ? {problem} : {}),
      }
    })
    return {server: shown, tools, ms: Math.round(performance.now() - started)}
  } finally {
    await connection.close()
  }
}
