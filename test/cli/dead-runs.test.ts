/** A run that dies (SIGKILL) or is stopped (SIGTERM) never stays `running` in history (issue 14, defect 7). */
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {FIXTURE} from '../agent/harness.js'
import {BIN, runCli} from '../support/cli.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'

let server: OpenAiTestServer
beforeAll(async () => {
  server = await startOpenAiServer()
})
afterAll(() => server.close())

/** Starts `pyagent run --json` on a model that goes silent mid-answer; resolves once its task has started. */
async function startHangingRun(root: string) {
  server.enqueue({type: 'completion', text: 'thinking about it', fault: {kind: 'hang', afterEvents: 1}})
  const child = execa(process.execPath, [BIN, 'run', '--task', 'fix the bug', '--json', '--cwd', root], {
    env: {PYAGENT_BASE_URL: server.baseUrl, PYAGENT_MAX_RETRIES: '0', XDG_CONFIG_HOME: '/nonexistent-pyagent-test'},
    reject: false,
    stdin: 'ignore',
    buffer: false,
  })
  await new Promise<void>((resolve, reject) => {
    let seen = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      if (seen.includes('"task_started"')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`run exited (${code}) before its task started`)))
  })
  // Wrapped: execa's subprocess is a promise, which an async function's return would await.
  return {child}
}

async function taskStatuses(root: string) {
  const result = await runCli(['history', '--json', '--cwd', root])
  expect(result.exitCode).toBe(0)
  return {statuses: (JSON.parse(result.stdout) as {tasks: {status: string}[]}).tasks.map((task) => task.status), stderr: result.stderr}
}

describe('a run that does not end by itself', {timeout: 60_000}, () => {
  it('killed with SIGKILL is marked interrupted by the next command, which says so', async () => {
    const repo = tempRepo(FIXTURE)
    const {child} = await startHangingRun(repo.root)
    child.kill('SIGKILL')
    await child
    const {statuses, stderr} = await taskStatuses(repo.root)
    expect(statuses).toEqual(['interrupted'])
    expect(stderr.replace(/\s+›?\s*/g, ' ')).toMatch(/Marked interrupted: task [0-9a-f]{8}/)
    expect((await taskStatuses(repo.root)).stderr).not.toContain('interrupted')
  })

  it('stopped with SIGTERM ends as interrupted, exit 130, with nothing written', async () => {
    const repo = tempRepo(FIXTURE)
    const {child} = await startHangingRun(repo.root)
    child.kill('SIGTERM')
    const {exitCode} = await child
    expect(exitCode).toBe(130)
    expect((await taskStatuses(repo.root)).statuses).toEqual(['interrupted'])
    expect(repo.git('status', '--porcelain')).toBe('')
  })
})
