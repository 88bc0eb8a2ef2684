/**
 * Issue 16: the loop over every kind of server PyAgent meets, each with its documented quirks
 * (test/support/openai-server.ts SERVER_PROFILES): with default settings a run reads a file and
 * finishes, every request is one the server takes, and `auto` says what it chose.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {type OpenAiTestServer, type Reply, SERVER_PROFILES, type ServerProfileName, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'
import {FIXTURE} from './harness.js'

/** The fixture's bugs fixed as a model would: read, edit two files, run the tests, finish. */
const SCRIPT: [string, object][] = [
  ['read_file', {path: 'src/add.js'}],
  ['edit', {path: 'src/add.js', edits: [{search: 'return a - b', replace: 'return a + b'}]}],
  ['edit', {path: 'src/greet.js', edits: [{search: "'hi ' + name", replace: "'hello ' + name"}]}],
  ['run_tests', {}],
  ['finish', {summary: 'add and greet fixed; the tests pass'}],
]

type Step = [string, object] | 'runaway'

/** A scripted model that answers in whatever form the request asks: tool calls, or a JSON action; a runaway answer is cut at max_tokens. */
function scripted(server: OpenAiTestServer, script: readonly Step[]): void {
  let step = 0
  server.setHandler((request): Reply => {
    // The reviewer's verdict is asked for under its own schema.
    if (JSON.stringify(request.body).includes('"verdict"')) return {type: 'completion', text: JSON.stringify({verdict: 'approve', feedback: 'both fixes are right'})}
    const next = script[Math.min(step++, script.length - 1)]!
    if (next === 'runaway') return {type: 'completion', text: 'First, some background on arithmetic. '.repeat(30), finishReason: 'length'}
    const [name, args] = next
    return (request.body as {tools?: unknown}).tools
      ? {type: 'completion', toolCalls: [{name, arguments: JSON.stringify(args)}]}
      : {type: 'completion', text: JSON.stringify({tool: name, arguments: args})}
  })
}

async function runOn(server: OpenAiTestServer) {
  const repo = tempRepo(FIXTURE)
  repo.write('.pyagent/config.json', JSON.stringify({testCommand: 'node test.js'}))
  const result = await runCli(['run', '--json', '--max-steps', '8', '--cwd', repo.root, '--task', 'fix add'], {env: {PYAGENT_BASE_URL: server.baseUrl, PYAGENT_MAX_RETRIES: '0'}})
  const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as {type: string; tool?: string; status?: string; summary?: string})
  return {result, events, repo}
}

describe.each(Object.keys(SERVER_PROFILES) as ServerProfileName[])('against a %s server', {timeout: 60_000}, (profile) => {
  let server: OpenAiTestServer
  beforeEach(async () => {
    server = await startOpenAiServer({profile})
  })
  afterEach(() => server.close())

  it('fixes the fixture\'s bugs end to end (read, edits, tests, review, commit), with requests the server takes', async () => {
    scripted(server, SCRIPT)
    const {result, events, repo} = await runOn(server)
    expect(events.filter((event) => event.type === 'tool_call').map((event) => event.tool)).toEqual(SCRIPT.map(([name]) => name))
    expect(events.at(-1), result.stdout.slice(-900)).toMatchObject({type: 'task_finished', status: 'done'})
    expect(readFileSync(join(repo.root, 'src/add.js'), 'utf8')).toContain('return a + b')
    expect(result.exitCode).toBe(0)
  })

  it('cuts a runaway answer at its token bound and carries on', async () => {
    scripted(server, ['runaway', ...SCRIPT.slice(1)])
    const {result, events} = await runOn(server)
    expect(events.at(-1), result.stdout.slice(-900)).toMatchObject({type: 'task_finished', status: 'done'})
    expect(server.chatRequests().every((request) => typeof (request.body as {max_tokens?: unknown}).max_tokens === 'number')).toBe(true)
  })

  it('says a failure is the server\'s own when it refuses, and exits 1', async () => {
    server.setHandler(() => ({type: 'error', status: 400, message: 'this server refuses the request: context too long for the demo'}))
    const {result, events} = await runOn(server)
    expect(events.at(-1)).toMatchObject({type: 'task_finished', status: 'failed', summary: expect.stringContaining('this server refuses the request')})
    expect(result.exitCode).toBe(1)
  })
})
