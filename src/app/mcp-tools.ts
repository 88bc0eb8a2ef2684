/**
 * The MCP servers' tools for one run, as agent tools: the port the agent's loop is filled through,
 * so the loop never meets the SDK. Every server that cannot be used — unapproved, not starting,
 * listing nothing, a tool with a broken schema — costs the run that server or tool and a notice,
 * never the run itself.
 */
import {z} from 'zod'

import {defineTool, type Tool, ToolError, ToolRefused} from '../agent/tools/index.js'
import {isPyAgentError} from '../errors.js'
import {approvalState} from '../mcp/approvals.js'
import type {McpConnection, McpToolInfo} from '../mcp/client.js'
import {type ConfiguredServer, configuredServers} from '../mcp/config.js'
import {compileArgumentCheck} from '../mcp/input-schema.js'
import {namespacedName, toolPolicy} from '../mcp/policy.js'
import type {StateDb} from '../state/db.js'

export interface RuntimeToolset {
  tools: readonly Tool[]
  close(): Promise<void>
}

const NO_TOOLS: RuntimeToolset = {tools: [], close: async () => undefined}

function agentTool(server: ConfiguredServer, info: McpToolInfo, connection: McpConnection, timeoutMs: number): Tool {
  const name = namespacedName(server.name, info.name)
  const check = compileArgumentCheck(info.inputSchema)
  const policy = toolPolicy(server.config, info.name)
  return defineTool({
    name,
    description: `${info.description || info.name} (tool of the MCP server ${server.name})`,
    schema: z.looseObject({}),
    parameters: info.inputSchema,
    mutates: false,
    async run(args, context) {
      const problem = check(args)
      if (problem) throw new ToolError(`invalid arguments for ${name}: ${problem}`)
      if (policy === 'ask' && !(await context.approve('tool', `${name} ${JSON.stringify(args)}`))) {
        throw new ToolRefused(`${name} was not approved; set "approval": "allow" for ${server.name} in ${server.file}, or run with --approve commands, to let it run`)
      }
      try {
        const outcome = await connection.call(info.name, args, {timeoutMs, signal: context.signal})
        if (outcome.failed) throw new ToolError(`${name} failed: ${outcome.text}`)
        return outcome.text
      } catch (error) {
        if (isPyAgentError(error, 'E_MCP_SERVER')) throw new ToolError(`${error.message}. The task goes on without this call.`)
        throw error
      }
    },
  })
}

/** One server's usable tools, each left out with a notice when its schema does not compile. */
async function serverTools(server: ConfiguredServer, connection: McpConnection, timeoutMs: number, notice: (text: string) => void): Promise<Tool[]> {
  const tools: Tool[] = []
  for (const info of await connection.listTools()) {
    if (toolPolicy(server.config, info.name) === 'deny') continue
    try {
      tools.push(agentTool(server, info, connection, server.config.timeoutMs ?? timeoutMs))
    } catch (error) {
      notice(`MCP server "${server.name}": its tool ${info.name} is left out: ${(error as Error).message}`)
    }
  }
  return tools
}

/** Connects every usable configured server at once and lists its tools; `close` ends them all. */
export async function openMcpTools(root: string, db: StateDb, options: {callTimeoutMs: number; notice: (text: string) => void}): Promise<RuntimeToolset> {
  const {notice} = options
  let servers: ConfiguredServer[]
  try {
    servers = configuredServers(root)
  } catch (error) {
    notice(`MCP servers are left out of this run: ${(error as Error).message}`)
    return NO_TOOLS
  }
  const usable = servers.filter((server) => {
    const state = approvalState(db, server)
    if (state === 'unapproved' || state === 'changed') {
      const why = state === 'changed' ? 'its command changed since you approved it' : 'you have not approved it'
      notice(`MCP server "${server.name}" (from ${server.file}) is left out: ${why}; run \`pyagent mcp test ${server.name} --approve\` to see what it runs and approve it`)
      return false
    }
    return true
  })
  if (usable.length === 0) return NO_TOOLS
  // The SDK is loaded only by runs that have a server to talk to.
  const {connectServer} = await import('../mcp/client.js')
  const connections: McpConnection[] = []
  const lists = await Promise.all(
    usable.map(async (server) => {
      try {
        const connection = await connectServer(server.name, server.config, {cwd: root})
        connections.push(connection)
        return await serverTools(server, connection, options.callTimeoutMs, notice)
      } catch (error) {
        notice(`MCP server "${server.name}" is left out of this run: ${(error as Error).message}`)
        return []
      }
    }),
  )
  return {tools: lists.flat(), close: async () => void (await Promise.all(connections.map((connection) => connection.close())))}
}
