/**
 * `run` says once when the commands agents run are unconfined, and refuses to start when
 * bubblewrap is required and missing (issue 14, defect 3).
 */
import {execFileSync} from 'node:child_process'
import {symlinkSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'
import {FIXTURE} from './harness.js'

let server: OpenAiTestServer
beforeAll(async () => {
  server = await startOpenAiServer()
})
afterAll(() => server.close())

const env = (sandbox: string) => ({PYAGENT_BASE_URL: server.baseUrl, PYAGENT_MAX_RETRIES: '0', PYAGENT_COMMAND_SANDBOX: sandbox})

/** A PATH with git and no bwrap: what a machine without bubblewrap has. */
function pathWithoutBwrap(): string {
  const bin = tempDir('pyagent-bin-')
  symlinkSync(execFileSync('sh', ['-c', 'command -v git'], {encoding: 'utf8'}).trim(), `${bin}/git`)
  return bin
}
const finish = {type: 'completion' as const, toolCalls: [{name: 'finish', arguments: JSON.stringify({summary: 'add subtracts'})}]}

describe('pyagent run and the command sandbox', {timeout: 60_000}, () => {
  it('says once, on stderr and as an event under --json, that commands run unconfined (commandSandbox=auto, no bubblewrap)', async () => {
    const repo = tempRepo(FIXTURE)
    server.enqueue(finish)
    const result = await runCli(['run', '--json', '--role', 'analyst', '--task', 'What does add do?', '--cwd', repo.root], {env: {...env('auto'), PATH: pathWithoutBwrap()}})
    expect(result.exitCode).toBe(0)
    const lines = String(result.stderr).trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^commands run unconfined here .*--approve commands.*apt-get install bubblewrap/)
    const events = String(result.stdout).trimEnd().split('\n').map((line) => JSON.parse(line) as {type: string; detail?: string})
    const notices = events.filter((event) => event.type === 'commands_unconfined')
    expect(notices).toEqual([expect.objectContaining({detail: lines[0]})])
  })

  it('refuses to start, saying how to install bubblewrap, when commandSandbox=bwrap and bubblewrap is missing', async () => {
    const repo = tempRepo(FIXTURE)
    const before = server.requests.length
    const result = await runCli(['run', '--task', 'Fix add', '--cwd', repo.root], {env: {...env('bwrap'), PATH: pathWithoutBwrap()}})
    expect(result.exitCode).toBe(1)
    // oclif wraps an error's message to the terminal's width; the words are what matters.
    const message = String(result.stderr).replaceAll(/\s*\n ›\s*/g, ' ')
    expect(message).toMatch(/commandSandbox is "bwrap" but bubblewrap is missing or unusable here.*apt-get install bubblewrap/)
    expect(message).not.toMatch(/\n\s+at /)
    // Refused before any model was asked anything.
    expect(server.requests.length).toBe(before)
  })
})
