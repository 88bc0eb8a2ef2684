/**
 * `pyagent mcp serve`: PyAgent's tools over MCP, on stdio — the transport every MCP client can
 * start, stdout carrying the protocol alone, ending when the client closes stdin — or with
 * --http over streamable HTTP at /mcp, under the fleet's rules (http-guard.ts).
 */
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'

import {McpServer} from '@modelcontextprotocol/sdk/server/mcp.js'
import {StdioServerTransport} from '@modelcontextprotocol/sdk/server/stdio.js'
import {StreamableHTTPServerTransport} from '@modelcontextprotocol/sdk/server/streamableHttp.js'

import {checkBinding, refusal} from './http-guard.js'
import {registerPyAgentTools} from './mcp-tools.js'

function pyagentMcpServer(root: string, version: string): McpServer {
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

export interface HttpServing {
  url: string
  /** Settles when the server has stopped (after stop(), or on an error). */
  done: Promise<void>
  stop(): void
}

/**
 * Stateless: each POST is its own server and transport, so clients need no session and a run in
 * one request holds nothing another needs.
 */
export async function serveMcpOverHttp(root: string, version: string, options: {host: string; port: number; token: string | undefined}): Promise<HttpServing> {
  checkBinding(options.host, options.token)
  let port = options.port
  const http = createServer((request, response) => {
    const refused = new URL(request.url ?? '/', 'http://x').pathname === '/mcp' ? refusal(request, {...options, port}) : {status: 404, message: 'PyAgent serves MCP at /mcp'}
    if (refused) {
      response.writeHead(refused.status, {'content-type': 'application/json'}).end(JSON.stringify({error: refused.message}))
      return
    }
    const server = pyagentMcpServer(root, version)
    const transport = new StreamableHTTPServerTransport({sessionIdGenerator: undefined})
    response.on('close', () => {
      void transport.close()
      void server.close()
    })
    void server.connect(transport).then(() => transport.handleRequest(request, response))
  })
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(options.port, options.host, resolve)
  })
  port = (http.address() as AddressInfo).port
  const done = new Promise<void>((resolve) => http.once('close', resolve))
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host
  return {url: `http://${shown}:${port}/mcp`, done, stop: () => http.close()}
}
