/**
 * MCP servers' tools as agent tools (app/mcp-tools.ts), against real servers from npm over stdio
 * and streamable HTTP, and a server of our own that crashes, hangs, floods and lies about its schema.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeEach, describe, expect, it, onTestFinished, vi} from 'vitest'

import type {Tool, ToolContext} from '../../src/agent/tools/index.js'
import {openMcpTools} from '../../src/app/mcp-tools.js'
import {approveServer} from '../../src/mcp/approvals.js'
import {configuredServers} from '../../src/mcp/config.js'
import {openState} from '../../src/state/db.js'
import {EVERYTHING, everythingOverHttp, FILESYSTEM, MEMORY, MISBEHAVING, stdio} from '../support/mcp-servers.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'

beforeEach(() => {
  vi.stubEnv('XDG_CONFIG_HOME', tempDir())
  return () => vi.unstubAllEnvs()
})

function setUp(servers: Record<string, unknown>, where: 'user' | '.mcp.json' = 'user') {
  const repo = tempRepo()
  if (where === 'user') {
    mkdirSync(join(process.env.XDG_CONFIG_HOME!, 'pyagent'), {recursive: true})
    writeFileSync(join(process.env.XDG_CONFIG_HOME!, 'pyagent', 'mcp.json'), JSON.stringify({mcpServers: servers}))
  } else {
    repo.write('.mcp.json', JSON.stringify({mcpServers: servers}))
  }
  const db = openState(repo.root)
  onTestFinished(() => db.close())
  return {repo, db}
}

async function open(servers: Record<string, unknown>, where: 'user' | '.mcp.json' = 'user', callTimeoutMs = 10_000) {
  const {repo, db} = setUp(servers, where)
  const notices: string[] = []
  const toolset = await openMcpTools(repo.root, db, {callTimeoutMs, notice: (text) => notices.push(text)})
  onTestFinished(() => toolset.close())
  return {repo, db, notices, tools: toolset.tools}
}

function context(approve: (subject: string) => boolean = () => true): ToolContext & {asked: string[]} {
  const asked: string[] = []
  return {
    asked,
    approve: async (_kind: string, subject: string) => (asked.push(subject), approve(subject)),
    signal: new AbortController().signal,
  } as unknown as ToolContext & {asked: string[]}
}

function named(tools: readonly Tool[], name: string): Tool {
  const tool = tools.find((candidate) => candidate.name === name)
  if (!tool) throw new Error(`no tool ${name} among ${tools.map((t) => t.name).join(', ')}`)
  return tool
}

describe('MCP servers as agent tools', {timeout: 60_000}, () => {
  it('lists and calls server-everything over stdio: namespaced names, the server\'s own JSON Schema, results as text', async () => {
    const {tools, notices} = await open({everything: stdio(EVERYTHING, ['stdio'], {approval: 'allow'})})
    expect(notices).toEqual([])
    const echo = named(tools, 'everything__echo')
    expect(echo.parameters).toMatchObject({type: 'object', required: ['message']})
    expect(await echo.run({message: 'over stdio'}, context())).toBe('Echo: over stdio')
    expect(await named(tools, 'everything__get-sum').run({a: 2, b: 40}, context())).toContain('42')
  })

  it('calls server-everything over streamable HTTP', async () => {
    const {url} = await everythingOverHttp()
    const {tools, notices} = await open({web: {type: 'http', url, approval: 'allow'}})
    expect(notices).toEqual([])
    expect(await named(tools, 'web__echo').run({message: 'over http'}, context())).toBe('Echo: over http')
  })

  it('uses server-memory and server-filesystem as published', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'notes.txt'), 'the build uses esbuild\n')
    const {tools} = await open({
      memory: stdio(MEMORY, [], {env: {MEMORY_FILE_PATH: join(dir, 'memory.jsonl')}, approval: 'allow'}),
      fs: stdio(FILESYSTEM, [dir], {approval: 'allow'}),
    })
    await named(tools, 'memory__create_entities').run({entities: [{name: 'PyAgent', entityType: 'tool', observations: ['edits transactionally']}]}, context())
    expect(await named(tools, 'memory__read_graph').run({}, context())).toContain('edits transactionally')
    expect(await named(tools, 'fs__read_text_file').run({path: join(dir, 'notes.txt')}, context())).toContain('esbuild')
    await expect(named(tools, 'fs__read_text_file').run({path: '/etc/passwd'}, context())).rejects.toThrow(/outside allowed directories|Access denied/i)
  })

  it('allow, ask and deny: a denied or excluded tool is not offered, one that asks runs only when approved, include limits the rest', async () => {
    const {tools} = await open({
      everything: stdio(EVERYTHING, ['stdio'], {tools: {'get-sum': 'deny', echo: 'ask'}, exclude: ['get-env'], approval: 'allow'}),
      only: stdio(EVERYTHING, ['stdio'], {include: ['echo'], approval: 'allow'}),
    })
    const names = tools.map((tool) => tool.name)
    expect(names).not.toContain('everything__get-sum')
    expect(names).not.toContain('everything__get-env')
    expect(names.filter((name) => name.startsWith('only__'))).toEqual(['only__echo'])
    const echo = named(tools, 'everything__echo')
    const refusing = context(() => false)
    await expect(echo.run({message: 'may I?'}, refusing)).rejects.toMatchObject({name: 'ToolRefused'})
    expect(refusing.asked).toEqual(['everything__echo {"message":"may I?"}'])
    expect(await echo.run({message: 'yes'}, context(() => true))).toBe('Echo: yes')
  })

  it('checks arguments against the tool\'s JSON Schema before the server sees them', async () => {
    const {tools} = await open({everything: stdio(EVERYTHING, ['stdio'], {approval: 'allow'})})
    await expect(named(tools, 'everything__get-sum').run({a: 'two'}, context())).rejects.toThrow(
      /invalid arguments for everything__get-sum: .*must have required property 'b'.*must be number|invalid arguments for everything__get-sum: .*must be number.*'b'/,
    )
  })

  it('survives a server that lies about a schema, floods, hangs and crashes: each a tool error, the other tools go on', async () => {
    const {tools, notices} = await open({odd: stdio(MISBEHAVING, [], {approval: 'allow', timeoutMs: 1500})})
    expect(notices).toEqual([expect.stringMatching(/^MCP server "odd": its tool broken is left out: its input schema is not valid JSON Schema: .*properties\/x\/type/)])
    expect(tools.map((tool) => tool.name)).not.toContain('odd__broken')

    const {tools: flooded} = await open({flood: stdio(MISBEHAVING, [], {approval: 'allow'})})
    await expect(named(flooded, 'flood__huge').run({}, context())).rejects.toThrow(
      'MCP server "flood" sent a message over 10 MB, more than PyAgent reads from one server, so its connection was dropped and its tools are gone for this run. The task goes on without this call.',
    )

    const hangStarted = Date.now()
    await expect(named(tools, 'odd__hang').run({}, context())).rejects.toThrow('MCP server "odd" did not answer the call to hang in time. The task goes on without this call.')
    expect(Date.now() - hangStarted).toBeLessThan(5000)
    expect(await named(tools, 'odd__echo').run({text: 'still here'}, context())).toBe('echo: still here')

    await expect(named(tools, 'odd__crash').run({}, context())).rejects.toThrow(/MCP server "odd" has stopped: misbehaving server: crashing on purpose/)
    await expect(named(tools, 'odd__echo').run({text: 'anyone?'}, context())).rejects.toThrow(/MCP server "odd" has stopped/)
  })

  it('starts stdio servers with a scrubbed environment; the env the configuration gives is passed on', async () => {
    vi.stubEnv('MY_SERVICE_API_TOKEN', 'ghp_secret')
    const {tools} = await open({odd: stdio(MISBEHAVING, [], {approval: 'allow', env: {GIVEN_TOKEN: 'for this server'}})})
    const env = named(tools, 'odd__env')
    expect(await env.run({name: 'MY_SERVICE_API_TOKEN'}, context())).toBe('MY_SERVICE_API_TOKEN is unset')
    expect(await env.run({name: 'GIVEN_TOKEN'}, context())).toBe('GIVEN_TOKEN is set')
    expect(await env.run({name: 'PATH'}, context())).toBe('PATH is set')
  })

  it('runs a server the repository defines only once approved, and asks again when its command changes', async () => {
    const servers = {everything: stdio(EVERYTHING, ['stdio'], {approval: 'allow'})}
    const first = await open(servers, '.mcp.json')
    expect(first.tools).toEqual([])
    expect(first.notices).toEqual([expect.stringContaining('MCP server "everything" (from ' + join(first.repo.root, '.mcp.json') + ') is left out: you have not approved it; run `pyagent mcp test everything --approve`')])

    approveServer(first.db, configuredServers(first.repo.root)[0]!)
    const notices: string[] = []
    const approved = await openMcpTools(first.repo.root, first.db, {callTimeoutMs: 10_000, notice: (text) => notices.push(text)})
    onTestFinished(() => approved.close())
    expect(approved.tools.map((tool) => tool.name)).toContain('everything__echo')

    first.repo.write('.mcp.json', JSON.stringify({mcpServers: {everything: stdio(EVERYTHING, ['stdio', '--verbose'], {approval: 'allow'})}}))
    const changed = await openMcpTools(first.repo.root, first.db, {callTimeoutMs: 10_000, notice: (text) => notices.push(text)})
    expect(changed.tools).toEqual([])
    expect(notices.at(-1)).toContain('its command changed since you approved it')
  })

  it('a server that cannot start, or a configuration that cannot be read, costs the run only its tools', async () => {
    const missing = await open({gone: {command: '/nonexistent/mcp-server'}, everything: stdio(EVERYTHING, ['stdio'], {approval: 'allow'})})
    expect(missing.notices).toEqual([expect.stringMatching(/^MCP server "gone" is left out of this run: MCP server "gone" \(\/nonexistent\/mcp-server\) could not be started or reached: .*ENOENT/)])
    expect(missing.tools.some((tool) => tool.name === 'everything__echo')).toBe(true)

    const {repo, db} = setUp({}, '.mcp.json')
    repo.write('.pyagent/mcp.json', '{"mcpServers": {"bad": {"args": []}}}')
    const notices: string[] = []
    const toolset = await openMcpTools(repo.root, db, {callTimeoutMs: 1000, notice: (text) => notices.push(text)})
    expect(toolset.tools).toEqual([])
    expect(notices).toEqual([expect.stringContaining('server "bad" needs a command (stdio) or an http(s) url')])
  })
})
