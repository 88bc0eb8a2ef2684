/**
 * One connection to one MCP server through the official SDK: a stdio server started with a
 * scrubbed environment, or a streamable HTTP server. Whatever the server does — exit, hang,
 * answer with an error — a call ends in a result or an McpServerError that says which server
 * and why, never in an exception the caller did not expect.
 */
import {Client} from '@modelcontextprotocol/sdk/client/index.js'
import {StdioClientTransport} from '@modelcontextprotocol/sdk/client/stdio.js'
import {StreamableHTTPClientTransport} from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type {Transport} from '@modelcontextprotocol/sdk/shared/transport.js'
import {ErrorCode, McpError} from '@modelcontextprotocol/sdk/types.js'

import {scrubEnvironment} from '../workspace/command-runner.js'
import {isStdio, type McpServerConfig} from './config.js'
import {McpServerError} from './errors.js'
import {type CallOutcome, renderResult} from './result.js'

export interface McpToolInfo {
  name: string
  description: string
  inputSchema: Record<string, unknown>
}

export interface McpConnection {
  readonly server: string
  listTools(): Promise<McpToolInfo[]>
  call(tool: string, args: Record<string, unknown>, options: {timeoutMs: number; signal?: AbortSignal}): Promise<CallOutcome>
  close(): Promise<void>
}

/** The longest wait for a server to start and answer `initialize`, and for its tool list. */
const CONNECT_TIMEOUT_MS = 30_000
/**
 * The SDK's stdio transport drops the connection on a message over this size. Its buffer grows by
 * copying at every chunk, so a larger limit costs quadratic time: 50 MB took over 10 s here.
 */
const STDIO_MESSAGE_BYTES = 10 * 1024 * 1024
const STDERR_TAIL_CHARS = 2000

interface Opened {
  transport: Transport
  /** The last of what a stdio server wrote to stderr: why it exited, usually. */
  stderrTail(): string
}

function openTransport(config: McpServerConfig, cwd: string): Opened {
  if (!isStdio(config)) {
    return {transport: new StreamableHTTPClientTransport(new URL(config.url), {requestInit: {headers: config.headers}}), stderrTail: () => ''}
  }
  const transport = new StdioClientTransport({
    command: config.command,
    args: config.args,
    env: {...scrubEnvironment(process.env), ...config.env},
    cwd: config.cwd ?? cwd,
    stderr: 'pipe',
    maxBufferSize: STDIO_MESSAGE_BYTES,
  })
  let tail = ''
  transport.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS)
  })
  return {transport, stderrTail: () => tail.trim()}
}

function describe(config: McpServerConfig): string {
  return isStdio(config) ? [config.command, ...config.args].join(' ') : config.url
}

/** Starts (stdio) or reaches (HTTP) the server and runs the MCP handshake. */
export async function connectServer(server: string, config: McpServerConfig, options: {cwd: string}): Promise<McpConnection> {
  const {transport, stderrTail} = openTransport(config, options.cwd)
  const client = new Client({name: 'pyagent', version: '0.1.0'})
  let closed: string | undefined
  const why = (error?: unknown) => [error instanceof Error ? error.message : undefined, stderrTail()].filter(Boolean).join('; ')
  try {
    await client.connect(transport, {timeout: CONNECT_TIMEOUT_MS})
  } catch (error) {
    await client.close().catch(() => undefined)
    throw new McpServerError(`MCP server "${server}" (${describe(config)}) could not be started or reached: ${why(error) || 'no reason given'}`, {cause: error})
  }
  let oversized = false
  client.onerror = (error) => {
    if (/ReadBuffer exceeded/.test(error.message)) oversized = true
  }
  client.onclose = () => {
    closed ??= oversized
      ? `MCP server "${server}" sent a message over ${STDIO_MESSAGE_BYTES / 1024 / 1024} MB, more than PyAgent reads from one server, so its connection was dropped and its tools are gone for this run`
      : `MCP server "${server}" has stopped${stderrTail() ? `: ${stderrTail()}` : ''}`
  }

  const failure = (action: string, error: unknown): McpServerError => {
    if (closed) return new McpServerError(closed, {cause: error})
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      return new McpServerError(`MCP server "${server}" did not answer ${action} in time`, {cause: error})
    }
    return new McpServerError(`MCP server "${server}" failed ${action}: ${why(error)}`, {cause: error})
  }

  return {
    server,
    async listTools() {
      if (closed) throw new McpServerError(closed)
      const tools: McpToolInfo[] = []
      let cursor: string | undefined
      try {
        do {
          const page = await client.listTools(cursor ? {cursor} : undefined, {timeout: CONNECT_TIMEOUT_MS})
          for (const tool of page.tools) tools.push({name: tool.name, description: tool.description ?? '', inputSchema: tool.inputSchema as Record<string, unknown>})
          cursor = page.nextCursor
        } while (cursor)
      } catch (error) {
        throw failure('the tool list', error)
      }
      return tools
    },
    async call(tool, args, {timeoutMs, signal}) {
      if (closed) throw new McpServerError(closed)
      try {
        const result = await client.callTool({name: tool, arguments: args}, undefined, {timeout: timeoutMs, signal})
        return renderResult(result)
      } catch (error) {
        if (signal?.aborted) throw error
        throw failure(`the call to ${tool}`, error)
      }
    },
    async close() {
      closed ??= `MCP server "${server}" was closed`
      await client.close().catch(() => undefined)
    },
  }
}
