/**
 * Issue 16: the loop over every kind of server PyAgent meets, each with its documented quirks
 * (test/support/openai-server.ts SERVER_PROFILES): with default settings a run reads a file and
 * finishes, every request is one the server takes, and `auto` says what it chose.
 */
import {describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {type Reply, SERVER_PROFILES, type ServerProfileName, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'
import {FIXTURE} from './harness.js'

const SCRIPT: [string, object][] = [
  ['read_file', {path: 'src/add.js'}],
  ['finish', {summary: 'read it; nothing to change'}],
]

describe.each(Object.keys(SERVER_PROFILES) as ServerProfileName[])('against a %s server', {timeout: 60_000}, (profile) => {
  it('runs the main job to a truthful end with requests the server takes', async () => {
    const server = await startOpenAiServer({profile})
    let step = 0
    server.setHandler((request): Reply => {
      const [name, args] = SCRIPT[Math.min(step++, SCRIPT.length - 1)]!
      return (request.body as {tools?: unknown}).tools
        ? {type: 'completion', toolCalls: [{name, arguments: JSON.stringify(args)}]}
        : {type: 'completion', text: JSON.stringify({tool: name, arguments: args})}
    })
    try {
      const repo = tempRepo(FIXTURE)
      repo.write('.pyagent/config.json', JSON.stringify({testCommand: 'true'}))
      const result = await runCli(['run', '--json', '--max-steps', '5', '--cwd', repo.root, '--task', 'fix add'], {env: {PYAGENT_BASE_URL: server.baseUrl, PYAGENT_MAX_RETRIES: '0'}})
      const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as {type: string; tool?: string; status?: string; summary?: string})
      expect(events.filter((event) => event.type === 'tool_call').map((event) => event.tool)).toEqual(['read_file', 'finish'])
      expect(events.at(-1), result.stdout.slice(-600)).toMatchObject({type: 'task_finished', status: 'done'})
      expect(result.exitCode).toBe(0)
    } finally {
      server.close()
    }
  })
})
