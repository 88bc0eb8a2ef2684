/**
 * `pyagent mcp serve --http`: the SDK's client runs a task over streamable HTTP and undoes it; the
 * fleet server's rules hold — no token on loopback, its token beyond, Host and Origin checked.
 */
import {Client} from '@modelcontextprotocol/sdk/client/index.js'
import {StreamableHTTPClientTransport} from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import {execa} from 'execa'
import {readFileSync, statSync} from 'node:fs'
import {request} from 'node:http'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it, onTestFinished} from 'vitest'

import {FIXTURE} from '../agent/harness.js'
import {BIN} from '../support/cli.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'

let model: OpenAiTestServer
beforeAll(async () => {
  model = await startOpenAiServer()
})
afterAll(() => model.close())

/** Starts the server on a free loopback port; resolves with the URL it prints. */
async function serve(root: string, env: Record<string, string> = {}, flags: string[] = []): Promise<URL> {
  const child = execa(process.execPath, [BIN, 'mcp', 'serve', '--http', '--cwd', root, ...flags], {
    env: {XDG_CONFIG_HOME: '/nonexistent-pyagent-test', PYAGENT_BASE_URL: model.baseUrl, PYAGENT_MAX_RETRIES: '0', ...env},
    reject: false,
    buffer: false,
  })
  onTestFinished(async () => {
    child.kill('SIGTERM')
    await child
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server printed no URL')), 30_000)
    child.stderr!.on('data', (chunk: Buffer) => {
      const found = /PyAgent serves MCP at (\S+)/.exec(chunk.toString())
      if (found) {
        clearTimeout(timer)
        resolve(new URL(found[1]!))
      }
    })
  })
}

function post(url: URL, headers: Record<string, string>): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({jsonrpc: '2.0', id: 1, method: 'tools/list'})
    const sent = request(url, {method: 'POST', headers: {'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers}}, (response) => {
      let text = ''
      response.on('data', (chunk: Buffer) => (text += chunk.toString()))
      response.on('end', () => resolve({status: response.statusCode!, body: text}))
    })
    sent.on('error', reject)
    sent.end(body)
  })
}

async function client(url: URL, headers: Record<string, string> = {}): Promise<Client> {
  const connected = new Client({name: 'pyagent-test', version: '1.0.0'})
  await connected.connect(new StreamableHTTPClientTransport(url, {requestInit: {headers}}))
  onTestFinished(() => connected.close())
  return connected
}

const tool = (name: string, args: object) => ({type: 'completion' as const, toolCalls: [{name, arguments: JSON.stringify(args)}]})

describe('pyagent mcp serve --http', {timeout: 120_000}, () => {
  it('runs a task for the SDK\'s client over streamable HTTP and undoes it', async () => {
    const repo = tempRepo(FIXTURE)
    repo.write('.pyagent/config.json', JSON.stringify({testCommand: 'node test.js', actionProtocol: 'tools'}))
    const url = await serve(repo.root)
    expect(url.hostname).toBe('127.0.0.1')
    const mcp = await client(url)
    expect((await mcp.listTools()).tools.map((entry) => entry.name)).toContain('run')

    model.enqueue(
      tool('edit', {path: 'src/add.js', edits: [{search: 'a - b', replace: 'a + b'}]}),
      tool('edit', {path: 'src/greet.js', edits: [{search: "'hi '", replace: "'hello '"}]}),
      tool('finish', {summary: 'fixed both'}),
      {type: 'completion' as const, text: JSON.stringify({verdict: 'approve', feedback: 'good'})},
    )
    const ran = (await mcp.callTool({name: 'run', arguments: {task: 'Fix add and greet'}}, undefined, {timeout: 60_000})) as {content: {text: string}[]}
    const result = JSON.parse(ran.content[0]!.text)
    expect(result).toMatchObject({status: 'done', transactions: [expect.any(String)], diff: expect.stringContaining('+  return a + b')})
    const undone = (await mcp.callTool({name: 'undo', arguments: {ref: result.taskId}})) as {content: {text: string}[]}
    expect(JSON.parse(undone.content[0]!.text)).toMatchObject({kind: 'task', undone: result.transactions})
    expect(readFileSync(join(repo.root, 'src/add.js'), 'utf8')).toBe(FIXTURE['src/add.js'])
  })

  it('refuses a foreign Host or Origin, by the fleet server\'s rules', async () => {
    const repo = tempRepo()
    const open = await serve(repo.root)
    const refused = await post(open, {host: `evil.example:${open.port}`})
    expect(refused.status).toBe(403)
    expect(JSON.parse(refused.body).error).toMatch(/Host is not this server's own address/)
    expect((await post(open, {origin: 'https://evil.example'})).status).toBe(403)
    expect((await post(open, {origin: `http://localhost:${open.port}`})).status).toBe(200)
  })

  it('bound beyond loopback, asks for the token it keeps in the user config directory (mode 0600), as the fleet server does', async () => {
    const repo = tempRepo()
    const config = tempDir('pyagent-config-')
    const wide = await serve(repo.root, {XDG_CONFIG_HOME: config}, ['--host', '0.0.0.0'])
    const tokenFile = join(config, 'pyagent', 'fleet-token')
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600)
    const token = readFileSync(tokenFile, 'utf8').trim()
    const local = new URL(`http://127.0.0.1:${wide.port}/mcp`)
    expect((await post(local, {})).status).toBe(401)
    expect((await post(local, {authorization: 'Bearer wrong'})).status).toBe(401)
    const mcp = await client(local, {authorization: `Bearer ${token}`})
    expect((await mcp.listTools()).tools.length).toBe(7)
  })
})
