/**
 * Issue 16: the loop over every kind of server PyAgent meets, each with its documented quirks
 * (test/support/openai-server.ts SERVER_PROFILES): with default settings a run reads a file and
 * finishes, every request is one the server takes, and `auto` says what it chose.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {type Reply, SERVER_PROFILES, type ServerProfileName, startOpenAiServer} from '../support/openai-server.js'
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

describe.each(Object.keys(SERVER_PROFILES) as ServerProfileName[])('against a %s server', {timeout: 60_000}, (profile) => {
  it('fixes the fixture\'s bugs end to end, with requests the server takes', async () => {
    const server = await startOpenAiServer({profile})
    let step = 0
    server.setHandler((request): Reply => {
      // The reviewer's verdict is asked for under its own schema.
      if (JSON.stringify(request.body).includes('"verdict"')) return {type: 'completion', text: JSON.stringify({verdict: 'approve', feedback: 'both fixes are right'})}
      const [name, args] = SCRIPT[Math.min(step++, SCRIPT.length - 1)]!
      return (request.body as {tools?: unknown}).tools
        ? {type: 'completion', toolCalls: [{name, arguments: JSON.stringify(args)}]}
        : {type: 'completion', text: JSON.stringify({tool: name, arguments: args})}
    })
    try {
      const repo = tempRepo(FIXTURE)
      repo.write('.pyagent/config.json', JSON.stringify({testCommand: 'node test.js'}))
      const result = await runCli(['run', '--json', '--max-steps', '8', '--cwd', repo.root, '--task', 'fix add'], {env: {PYAGENT_BASE_URL: server.baseUrl, PYAGENT_MAX_RETRIES: '0'}})
      const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as {type: string; tool?: string; status?: string; summary?: string})
      expect(events.filter((event) => event.type === 'tool_call').map((event) => event.tool)).toEqual(SCRIPT.map(([name]) => name))
      expect(events.at(-1), result.stdout.slice(-900)).toMatchObject({type: 'task_finished', status: 'done'})
      expect(readFileSync(join(repo.root, 'src/add.js'), 'utf8')).toContain('return a + b')
      expect(events.at(-1), result.stdout.slice(-600)).toMatchObject({type: 'task_finished', status: 'done'})
      expect(result.exitCode).toBe(0)
    } finally {
      server.close()
    }
  })
})
