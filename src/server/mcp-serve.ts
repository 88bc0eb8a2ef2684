/**
 * `pyagent mcp serve`: PyAgent's tools over MCP, on stdio — the transport every MCP client can
 * start. stdout carries the protocol alone; the server ends when the client closes stdin.
 */
import {McpServer} from '@modelcontextprotocol/sdk/server/mcp.js'
import {StdioServerTransport} from '@modelcontextprotocol/sdk/server/stdio.js'

import {registerPyAgentTools} from './mcp-tools.js'

export function pyagentMcpServer(root: string, version: string): McpServer {
  const server = new McpServer({name: 'pyagent', version})
  registerPyAgentTools(server, root)
  return server
}

export async function serveMcpOverStdio(root: string, version: string): Promise<void> {
  const server = pyagentMcpServer(root, version)
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = resolve
  })
  process.stdin.once('end', () => void server.close())
  await server.connect(new StdioServerTransport())
  await closed
}
