/**
 * `pyagent mcp serve`: PyAgent's tools over MCP, on stdio — the transport every MCP client can
 * start, stdout carrying the protocol alone, ending when the client closes stdin — or with
 * --http over streamable HTTP at /mcp, under the fleet server's rules and token (auth.ts).
 */
import {createServer, type IncomingMessage} from 'node:http'
import type {AddressInfo} from 'node:net'

import {McpServer} from '@modelcontextprotocol/sdk/server/mcp.js'
import {StdioServerTransport} from '@modelcontextprotocol/sdk/server/stdio.js'
import {StreamableHTTPServerTransport} from '@modelcontextprotocol/sdk/server/streamableHttp.js'

import {ensureFleetToken} from '../fleet/token.js'
import {checkAccess, FleetAuthError, isLoopbackHost, ownHostNames} from './auth.js'
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
export async function serveMcpOverHttp(root: string, version: string, options: {host: string; port: number}): Promise<HttpServing> {
  // As the fleet server: made before anything listens, so a bind beyond loopback is never open without one.
  const token = isLoopbackHost(options.host) ? undefined : ensureFleetToken()
  const names = ownHostNames(options.host)
  let port = options.port
  const refusal = (request: IncomingMessage): {status: number; message: string} | undefined => {
    if (new URL(request.url ?? '/', 'http://x').pathname !== '/mcp') return {status: 404, message: 'PyAgent serves MCP at /mcp'}
    try {
      checkAccess({host: request.headers.host, origin: request.headers.origin, authorization: request.headers.authorization}, {port, names, token})
      return undefined
    } catch (error) {
      if (error instanceof FleetAuthError) return {status: error.status, message: error.message}
      throw error
    }
  }
  const http = createServer((request, response) => {
    const refused = refusal(request)
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
