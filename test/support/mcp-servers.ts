/** The real MCP servers the tests talk to (npm devDependencies), and a misbehaving one of our own. */
import {execa, type ResultPromise} from 'execa'
import {fileURLToPath} from 'node:url'
import {onTestFinished} from 'vitest'
import {freePort} from './free-port.js'

const modules = (path: string) => fileURLToPath(new URL(`../../node_modules/${path}`, import.meta.url))

export const EVERYTHING = modules('@modelcontextprotocol/server-everything/dist/index.js')
export const FILESYSTEM = modules('@modelcontextprotocol/server-filesystem/dist/index.js')
export const MEMORY = modules('@modelcontextprotocol/server-memory/dist/index.js')
export const MISBEHAVING = fileURLToPath(new URL('./mcp-misbehaving-server.mjs', import.meta.url))

/** A stdio server entry, in the mcpServers shape, running a script with this Node. */
export function stdio(script: string, args: string[] = [], extra: Record<string, unknown> = {}) {
  return {command: process.execPath, args: [script, ...args], ...extra}
}


/** server-everything serving streamable HTTP on a loopback port; stopped when the test ends. */
export async function everythingOverHttp(): Promise<{url: string}> {
  const port = await freePort()
  const child: ResultPromise = execa(process.execPath, [EVERYTHING, 'streamableHttp'], {env: {PORT: String(port)}, reject: false, buffer: false})
  onTestFinished(() => {
    child.kill()
  })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server-everything did not start listening')), 15_000)
    child.stderr!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  return {url: `http://127.0.0.1:${port}/mcp`}
}
