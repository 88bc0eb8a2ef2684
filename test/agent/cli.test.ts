import {execa} from 'execa'
import {chmodSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {BIN, runCli} from '../support/cli.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'
import {checksummedToken} from '../support/tokens.js'
import {FIXTURE} from './harness.js'

let server: OpenAiTestServer
beforeAll(async () => {
  server = await startOpenAiServer()
})
afterAll(() => server.close())

function repoWithConfig() {
  const repo = tempRepo(FIXTURE)
  repo.write('.pyagent/config.json', JSON.stringify({testCommand: 'node test.js', actionProtocol: 'tools'}))
  return repo
}

const env = () => ({PYAGENT_BASE_URL: server.baseUrl, PYAGENT_MAX_RETRIES: '0'})
const tool = (name: string, args: object) => ({type: 'completion' as const, toolCalls: [{name, arguments: JSON.stringify(args)}]})
const FIX_BOTH = [
  tool('edit', {path: 'src/add.js', edits: [{search: 'a - b', replace: 'a + b'}]}),
  tool('edit', {path: 'src/greet.js', edits: [{search: "'hi '", replace: "'hello '"}]}),
  tool('finish', {summary: 'fixed both'}),
  {type: 'completion' as const, text: JSON.stringify({verdict: 'approve', feedback: 'good'})},
]

// Each case starts the CLI as a user would; on a loaded machine that alone can take seconds.
describe('pyagent run', {timeout: 60_000}, () => {
  it('explains in one paragraph how to start vLLM (or pull the small model) when no endpoint answers and no model is cached, and exits 1', async () => {
    const repo = repoWithConfig()
    const nobody = await startOpenAiServer()
    const deadUrl = nobody.baseUrl
    await nobody.close()
    // An empty model cache: with a model cached, run would fall back to it (see test/engine/fallback-cli.test.ts).
    const result = await runCli(['run', '--task', 'anything', '--cwd', repo.root], {env: {PYAGENT_BASE_URL: deadUrl, XDG_CACHE_HOME: tempDir()}})
    expect(result.exitCode).toBe(1)
    const message = result.stderr.trimEnd()
    expect(message.split('\n')).toHaveLength(1)
    expect(message).toContain(`tried ${deadUrl}: connection refused.`)
    expect(message).toMatch(/vllm serve \S+ --enable-auto-tool-choice --tool-call-parser hermes/)
    expect(message).toContain('PYAGENT_BASE_URL')
    expect(message).toContain('`npx pyagent model pull`')
    expect(result.stdout).toBe('')
  })

  it('--json prints only NDJSON events on stdout, edits the files, masks secrets it reads, commits to git with --commit, exits 0', async () => {
    const repo = repoWithConfig()
    const token = checksummedToken()
    repo.write('config.txt', `github_token: ${token}\n`)
    repo.git('add', 'config.txt')
    repo.git('commit', '-qm', 'config')
    const before = server.chatRequests().length
    server.enqueue(tool('read_file', {path: 'config.txt'}), ...FIX_BOTH)
    const result = await runCli(['run', '--json', '--commit', '--task', 'Fix add and greet', '--cwd', repo.root], {env: env()})
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    const sent = JSON.stringify(server.chatRequests().slice(before).map((request) => request.body))
    expect(sent).toContain('REDACTED')
    expect(sent).not.toContain(token)
    expect(result.stdout).not.toContain(token)
    expect(repo.git('log', '--format=%s')).toMatch(/^pyagent: Fix add and greet\n/)
    expect(repo.git('status', '--porcelain')).toBe('')
    const events = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as {type: string; status?: string})
    expect(events[0]!.type).toBe('task_started')
    expect(events.at(-1)).toMatchObject({type: 'task_finished', status: 'done'})
    expect(events.filter((event) => event.type === 'committed')).toHaveLength(1)
    expect(events.find((event) => event.type === 'memory_used')).toMatchObject({map: {files: expect.any(Number), tokens: expect.any(Number)}, facts: []})
    expect(readFileSync(join(repo.root, 'src/add.js'), 'utf8')).toContain('a + b')
  })

  it('--no-memory sends the task alone: no map, no facts, no memory line', async () => {
    const repo = repoWithConfig()
    const before = server.chatRequests().length
    server.enqueue(tool('read_file', {path: 'src/add.js'}), tool('finish', {summary: 'add subtracts'}))
    const result = await runCli(['run', '--no-memory', '--role', 'analyst', '--task', 'What does add do?', '--cwd', repo.root], {env: env()})
    expect(result.exitCode).toBe(0)
    expect(result.stdout).not.toMatch(/memory:/)
    const first = server.chatRequests()[before]!.body as {messages: {content: string}[]}
    expect(first.messages[1]!.content).toBe('What does add do?')
  })

  it('--commit that git refuses (a pre-commit hook says no) says the changes are written, why, and how to commit or undo them; the index is as it was', async () => {
    const repo = repoWithConfig()
    const hook = join(repo.root, '.git', 'hooks', 'pre-commit')
    writeFileSync(hook, '#!/bin/sh\necho "review: a planted key in src/add.js" >&2\nexit 1\n')
    chmodSync(hook, 0o755)
    repo.write('notes.md', 'staged by the user\n')
    repo.git('add', 'notes.md')
    const head = repo.git('rev-parse', 'HEAD')
    server.enqueue(tool('write_file', {path: 'src/new.js', content: 'export const n = 1\n'}), ...FIX_BOTH)
    const result = await runCli(['run', '--commit', '--task', 'Fix add and greet', '--cwd', repo.root], {env: env()})
    expect(result.exitCode).toBe(1)
    const message = result.stderr.replaceAll('›', ' ').replace(/\s+/g, ' ')
    expect(message).toContain('git commit refused the task\'s changes: review: a planted key in src/add.js')
    expect(message).toMatch(/src\/add\.js, src\/greet\.js and src\/new\.js are written but not committed/)
    expect(message).toMatch(/commit them yourself .*or take them out with `pyagent undo [0-9a-f-]{36}`/)
    expect(message).not.toMatch(/^\s+at /m)
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
    expect(repo.git('status', '--porcelain', '--untracked-files=all').split('\n').filter(Boolean).sort()).toEqual([' M src/add.js', ' M src/greet.js', '?? src/new.js', 'A  notes.md'])
  })

  it('reads the task from stdin and prints plain lines without a terminal', async () => {
    const repo = repoWithConfig()
    server.enqueue(tool('read_file', {path: 'src/add.js'}), tool('finish', {summary: 'add subtracts'}))
    const result = await execa(process.execPath, [BIN, 'run', '--role', 'analyst', '--cwd', repo.root], {
      input: 'What does add do?',
      env: {XDG_CONFIG_HOME: '/nonexistent-pyagent-test', ...env()},
      reject: false,
    })
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/▶ analyst: What does add do\?/)
    expect(result.stdout).toMatch(/memory: map of \d+ definitions in \d+ files \(\d+ tokens\)/)
    expect(result.stdout).toMatch(/✔ read_file/)
    expect(result.stdout).toMatch(/■ done .*add subtracts/)
  })

  it("the README's main job on a model that finishes at once with a looping summary: said as failed, no change made, exit 1", async () => {
    const repo = repoWithConfig()
    const looping = tool('finish', {summary: `range.js${'.js'.repeat(250)}`})
    server.enqueue(looping, looping, looping)
    const result = await runCli(['run', '--task', 'Fix the off-by-one in src/add.js and add a test', '--cwd', repo.root], {env: env()})
    expect(result.exitCode).toBe(1)
    const lines = String(result.stdout).trimEnd().split('\n')
    expect(lines).toContain('  ✖ summary')
    expect(lines.at(-1)).toMatch(/^■ failed \[\w+\]: no change made, and the tests still fail after 2 revision\(s\): node test\.js$/)
    expect(result.stdout).not.toContain('.js.js.js')
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  it('Ctrl-C mid-stream stops, rolls back, records the task as interrupted and exits 130 with the repo unchanged', async () => {
    const repo = repoWithConfig()
    server.enqueue(
      FIX_BOTH[0]!,
      {type: 'completion', text: 'Let me think about this for quite a long time before I act on anything at all', tokenDelayMs: 200},
    )
    const child = execa(process.execPath, [BIN, 'run', '--json', '--task', 'Fix add', '--cwd', repo.root], {
      env: {XDG_CONFIG_HOME: '/nonexistent-pyagent-test', ...env()},
      reject: false,
    })
    let sent = false
    child.stdout!.on('data', (chunk: Buffer) => {
      if (!sent && chunk.toString().includes('"type":"text"')) {
        sent = true
        child.kill('SIGINT')
      }
    })
    const result = await child
    expect(sent).toBe(true)
    expect(result.exitCode).toBe(130)
    const last = JSON.parse(result.stdout.trimEnd().split('\n').at(-1)!) as {type: string; status: string}
    expect(last).toMatchObject({type: 'task_finished', status: 'interrupted'})
    expect(repo.git('status', '--porcelain')).toBe('')
  })
})
