/**
 * `pyagent mcp …` and a `pyagent run` whose model uses MCP tools, as a user runs them: the built
 * CLI, real MCP servers from npm, the scripted OpenAI-compatible model server.
 */
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {EVERYTHING, MEMORY, MISBEHAVING} from '../support/mcp-servers.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'

let model: OpenAiTestServer
beforeAll(async () => {
  model = await startOpenAiServer()
})
afterAll(() => model.close())

const tool = (name: string, args: object) => ({type: 'completion' as const, toolCalls: [{name, arguments: JSON.stringify(args)}]})

function json(stdout: string): any {
  return JSON.parse(stdout)
}

describe('pyagent mcp', {timeout: 90_000}, () => {
  it('add, list, test and remove a server, with --json; a server the repository defines is tested only once approved', async () => {
    const repo = tempRepo()
    const env = {XDG_CONFIG_HOME: tempDir()}
    const added = await runCli(['mcp', 'add', 'everything', '--json', '--approval', 'allow', '--exclude', 'get-env', '--cwd', repo.root, '--', process.execPath, EVERYTHING, 'stdio'], {env})
    expect(added.stderr).toBe('')
    expect(json(added.stdout).server).toMatchObject({name: 'everything', scope: 'repository', transport: 'stdio', approval: 'approved', file: join(repo.root, '.pyagent/mcp.json')})

    repo.write('.mcp.json', JSON.stringify({mcpServers: {memory: {command: process.execPath, args: [MEMORY]}}}))
    const listed = json((await runCli(['mcp', 'list', '--json', '--cwd', repo.root], {env})).stdout)
    expect(listed.servers.map((server: any) => [server.name, server.approval])).toEqual([
      ['everything', 'approved'],
      ['memory', 'unapproved'],
    ])

    const tested = await runCli(['mcp', 'test', 'everything', '--json', '--cwd', repo.root], {env})
    const report = json(tested.stdout)
    expect(report.tools.find((entry: any) => entry.name === 'echo')).toMatchObject({agentName: 'everything__echo', policy: 'allow', inputSchema: {type: 'object', required: ['message']}})
    expect(report.tools.find((entry: any) => entry.name === 'get-env')).toMatchObject({policy: 'deny'})

    const refused = await runCli(['mcp', 'test', 'memory', '--json', '--cwd', repo.root], {env})
    expect(refused.exitCode).toBe(1)
    expect(json(refused.stdout).error).toMatchObject({code: 'E_MCP_UNAPPROVED', message: expect.stringContaining(`runs \`${process.execPath} ${MEMORY}\`; the repository defines it and you have not approved it. Add --approve`)})
    const approved = await runCli(['mcp', 'test', 'memory', '--approve', '--cwd', repo.root], {env})
    expect(approved.stdout).toMatch(/^memory \(stdio: .*\) answered in \d+ ms with 9 tool\(s\):/)
    expect(approved.stdout).toContain('memory__read_graph  [ask]')

    const removed = await runCli(['mcp', 'remove', 'everything', '--json', '--cwd', repo.root], {env})
    expect(json(removed.stdout).removed).toEqual({name: 'everything', file: join(repo.root, '.pyagent/mcp.json')})
    const unknown = await runCli(['mcp', 'test', 'everything', '--json', '--cwd', repo.root], {env})
    expect(json(unknown.stdout).error).toMatchObject({code: 'E_MCP_SERVER', message: 'No MCP server named "everything" is configured (see `pyagent mcp list`)'})
  })

  it('refuses a server entry with neither a command nor a url', async () => {
    const repo = tempRepo()
    const result = await runCli(['mcp', 'add', 'nothing', '--json', '--cwd', repo.root], {env: {XDG_CONFIG_HOME: tempDir()}})
    expect(json(result.stdout).error).toMatchObject({code: 'E_MCP_CONFIG', message: "Give the server's command after --, or --url for an HTTP server"})
  })
})

describe('pyagent run with MCP tools', {timeout: 90_000}, () => {
  it('offers the servers\' tools by namespaced name, calls them, refuses one that asks under --json, and survives a crashing server', async () => {
    const repo = tempRepo({'README.md': '# fixture\n', 'package.json': '{"type": "module"}\n'})
    const memoryFile = join(tempDir(), 'memory.jsonl')
    repo.write(
      '.pyagent/config.json',
      JSON.stringify({actionProtocol: 'tools', testCommand: 'node -e 0'}),
    )
    const user = tempDir()
    const env = {XDG_CONFIG_HOME: user, PYAGENT_BASE_URL: model.baseUrl, PYAGENT_MAX_RETRIES: '0'}
    // The user's own servers need no approval; the repository's are approved by adding them with `pyagent mcp add`.
    await runCli(['mcp', 'add', 'memory', '--scope', 'user', '--approval', 'allow', '--env', `MEMORY_FILE_PATH=${memoryFile}`, '--cwd', repo.root, '--', process.execPath, MEMORY], {env})
    await runCli(['mcp', 'add', 'odd', '--approval', 'allow', '--cwd', repo.root, '--', process.execPath, MISBEHAVING], {env})
    await runCli(['mcp', 'add', 'everything', '--cwd', repo.root, '--', process.execPath, EVERYTHING, 'stdio'], {env})
    const before = model.chatRequests().length
    model.enqueue(
      tool('memory__create_entities', {entities: [{name: 'release', entityType: 'process', observations: ['tag, then npm publish']}]}),
      tool('everything__echo', {message: 'may I?'}),
      tool('odd__crash', {}),
      tool('memory__search_nodes', {query: 'release'}),
      tool('finish', {summary: 'noted how releases are made'}),
    )
    const result = await runCli(['run', '--json', '--role', 'analyst', '--task', 'Remember how releases are made', '--cwd', repo.root], {env})
    expect(result.exitCode).toBe(0)
    const offered = (model.chatRequests()[before]!.body as any).tools.map((entry: any) => entry.function.name)
    expect(offered).toEqual(expect.arrayContaining(['read_file', 'finish', 'memory__create_entities', 'memory__read_graph', 'everything__echo', 'odd__echo']))
    expect(offered).not.toContain('odd__broken')
    expect(result.stderr).toContain('MCP server "odd": its tool broken is left out: its input schema is not valid JSON Schema')
    const events = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line))
    const results = events.filter((event) => event.type === 'tool_result').map((event) => [event.tool, event.status, event.output])
    expect(results[0]).toEqual(['memory__create_entities', 'ok', expect.stringContaining('tag, then npm publish')])
    expect(results[1]).toEqual(['everything__echo', 'refused', expect.stringContaining('everything__echo was not approved')])
    expect(results[2]).toEqual(['odd__crash', 'error', expect.stringContaining('MCP server "odd" has stopped: misbehaving server: crashing on purpose. The task goes on without this call.')])
    expect(results[3]).toEqual(['memory__search_nodes', 'ok', expect.stringContaining('release')])
    expect(events.find((event) => event.type === 'approval')).toMatchObject({kind: 'tool', subject: 'everything__echo {"message":"may I?"}', approved: false})
    expect(events.at(-1)).toMatchObject({type: 'task_finished', status: 'done'})
  })

  it('--approve commands lets a tool that asks run', async () => {
    const repo = tempRepo()
    const env = {XDG_CONFIG_HOME: tempDir(), PYAGENT_BASE_URL: model.baseUrl, PYAGENT_MAX_RETRIES: '0'}
    repo.write('.pyagent/config.json', JSON.stringify({actionProtocol: 'tools'}))
    await runCli(['mcp', 'add', 'everything', '--cwd', repo.root, '--', process.execPath, EVERYTHING, 'stdio'], {env})
    model.enqueue(tool('everything__echo', {message: 'approved'}), tool('finish', {summary: 'echoed'}))
    const result = await runCli(['run', '--json', '--role', 'analyst', '--approve', 'commands', '--task', 'Echo', '--cwd', repo.root], {env})
    expect(result.exitCode).toBe(0)
    const echoed = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line)).find((event) => event.type === 'tool_result')
    expect(echoed).toMatchObject({tool: 'everything__echo', status: 'ok', output: 'Echo: approved'})
  })
})
