/**
 * `pyagent mcp serve` driven as an MCP host would, by the SDK's own client and by the MCP
 * Inspector's command line, over stdio: a task run on the scripted model server, its transaction
 * and diff read back, then undone.
 */
import {Client} from '@modelcontextprotocol/sdk/client/index.js'
import {StdioClientTransport} from '@modelcontextprotocol/sdk/client/stdio.js'
import {execa} from 'execa'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {dirname, join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it, onTestFinished} from 'vitest'

import {FIXTURE} from '../agent/harness.js'
import {BIN} from '../support/cli.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'

const INSPECTOR = fileURLToPath(new URL('../../node_modules/@modelcontextprotocol/inspector-cli/build/index.js', import.meta.url))

let model: OpenAiTestServer
beforeAll(async () => {
  model = await startOpenAiServer()
})
afterAll(() => model.close())

const tool = (name: string, args: object) => ({type: 'completion' as const, toolCalls: [{name, arguments: JSON.stringify(args)}]})

async function connect(root: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', 'serve', '--cwd', root],
    env: {PATH: process.env.PATH!, HOME: process.env.HOME!, XDG_CONFIG_HOME: '/nonexistent-pyagent-test', PYAGENT_BASE_URL: model.baseUrl, PYAGENT_MAX_RETRIES: '0'},
    stderr: 'pipe',
  })
  const client = new Client({name: 'pyagent-test', version: '1.0.0'})
  await client.connect(transport)
  onTestFinished(() => client.close())
  return client
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<{text: string; isError: boolean}> {
  const result = (await client.callTool({name, arguments: args}, undefined, {timeout: 60_000})) as {content: {text: string}[]; isError?: boolean}
  return {text: result.content[0]!.text, isError: result.isError === true}
}

describe('pyagent mcp serve over stdio', {timeout: 120_000}, () => {
  it('lists its tools, runs a task through its transaction, shows it in history, and undoes it', async () => {
    const repo = tempRepo(FIXTURE)
    repo.write('.pyagent/config.json', JSON.stringify({testCommand: 'node test.js', actionProtocol: 'tools'}))
    const client = await connect(repo.root)

    const {tools} = await client.listTools()
    expect(tools.map((entry) => entry.name).sort()).toEqual(['history', 'map', 'memory_search', 'review', 'run', 'show', 'undo'])
    expect(tools.find((entry) => entry.name === 'run')!.inputSchema).toMatchObject({required: ['task']})

    model.enqueue(
      tool('edit', {path: 'src/add.js', edits: [{search: 'a - b', replace: 'a + b'}]}),
      tool('edit', {path: 'src/greet.js', edits: [{search: "'hi '", replace: "'hello '"}]}),
      tool('finish', {summary: 'fixed both'}),
      {type: 'completion' as const, text: JSON.stringify({verdict: 'approve', feedback: 'good'})},
    )
    const ran = await call(client, 'run', {task: 'Fix add and greet'})
    expect(ran.isError).toBe(false)
    const result = JSON.parse(ran.text)
    expect(result).toMatchObject({status: 'done', exitCode: 0, summary: 'fixed both', files: ['src/add.js', 'src/greet.js']})
    expect(result.transactions).toHaveLength(1)
    expect(result.diff).toContain('-  return a - b\n+  return a + b')
    expect(readFileSync(join(repo.root, 'src/add.js'), 'utf8')).toContain('a + b')

    const history = JSON.parse((await call(client, 'history')).text)
    expect(history.tasks[0]).toMatchObject({id: result.taskId, status: 'done'})
    const shown = JSON.parse((await call(client, 'show', {tx: result.transactions[0].slice(0, 8)})).text)
    expect(shown).toMatchObject({id: result.transactions[0], diff: result.diff})

    const undone = JSON.parse((await call(client, 'undo', {ref: result.transactions[0]})).text)
    expect(undone).toMatchObject({undone: [result.transactions[0]], kind: 'transaction'})
    expect(readFileSync(join(repo.root, 'src/add.js'), 'utf8')).toBe(FIXTURE['src/add.js'])
    expect(readFileSync(join(repo.root, 'src/greet.js'), 'utf8')).toBe(FIXTURE['src/greet.js'])

    const again = await call(client, 'undo', {ref: 'ffffffff'})
    expect(again).toEqual({isError: true, text: expect.stringMatching(/^E_LOOKUP: /)})
    expect((await call(client, 'map', {tokens: 256})).text).toContain('src/add.js')
    expect(JSON.parse((await call(client, 'memory_search', {query: 'tests'})).text)).toEqual(expect.any(Array))
  })

  it('serves the MCP Inspector\'s command-line client: tools listed, a task run and undone', async () => {
    const repo = tempRepo(FIXTURE)
    repo.write('.pyagent/config.json', JSON.stringify({testCommand: 'node test.js', actionProtocol: 'tools'}))
    const inspector = (...args: string[]) =>
      execa(process.execPath, [INSPECTOR, process.execPath, BIN, 'mcp', 'serve', '--cwd', repo.root, ...args], {
        env: {XDG_CONFIG_HOME: '/nonexistent-pyagent-test', PYAGENT_BASE_URL: model.baseUrl, PYAGENT_MAX_RETRIES: '0'},
        // It finds its own package.json by a path it checks relative to the working directory.
        cwd: dirname(INSPECTOR),
        reject: false,
      })
    const listed = await inspector('--method', 'tools/list')
    expect(JSON.parse(listed.stdout).tools.map((entry: {name: string}) => entry.name)).toContain('run')

    model.enqueue(
      tool('edit', {path: 'src/add.js', edits: [{search: 'a - b', replace: 'a + b'}]}),
      tool('edit', {path: 'src/greet.js', edits: [{search: "'hi '", replace: "'hello '"}]}),
      tool('finish', {summary: 'fixed both'}),
      {type: 'completion' as const, text: JSON.stringify({verdict: 'approve', feedback: 'good'})},
    )
    const ran = await inspector('--method', 'tools/call', '--tool-name', 'run', '--tool-arg', 'task=Fix add and greet')
    const result = JSON.parse(JSON.parse(ran.stdout).content[0].text)
    expect(result).toMatchObject({status: 'done', files: ['src/add.js', 'src/greet.js']})
    expect(readFileSync(join(repo.root, 'src/add.js'), 'utf8')).toContain('a + b')

    const undone = await inspector('--method', 'tools/call', '--tool-name', 'undo', '--tool-arg', `ref=${result.taskId}`)
    expect(JSON.parse(JSON.parse(undone.stdout).content[0].text)).toMatchObject({kind: 'task', undone: result.transactions})
    expect(readFileSync(join(repo.root, 'src/add.js'), 'utf8')).toBe(FIXTURE['src/add.js'])
  })
})
