import {execa} from 'execa'
import {describe, expect, it} from 'vitest'

import {EXIT_CODES} from '../../src/agent/run-task.js'
import {embeddedNotice} from '../../src/app/endpoint.js'
import {findModel} from '../../src/engine/models.js'
import {FIXTURE} from '../agent/harness.js'
import {BIN, runCli} from '../support/cli.js'
import {startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'

/** A URL nothing listens on: a server started and closed again. */
async function deadUrl(): Promise<string> {
  const nobody = await startOpenAiServer()
  await nobody.close()
  return nobody.baseUrl
}

const entry = await findModel()
if (!entry) console.log('the embedded fallback of `pyagent run` skipped: no model in the cache (run `node bin/run.js model pull`); test/agent/cli.test.ts covers the no-model message')

describe.skipIf(!entry)('pyagent run with no server answering and the default model cached', () => {
  it('runs the task on the cached model, says so in exactly one line, and exits as the README says', {timeout: 240_000}, async () => {
    const repo = tempRepo(FIXTURE)
    const url = await deadUrl()
    const result = await runCli(['run', '--json', '--task', 'Fix add in src/add.js so that it returns the sum.', '--cwd', repo.root, '--max-steps', '2'], {env: {PYAGENT_BASE_URL: url}})
    const notice = embeddedNotice(url, 'SmolLM2-135M')
    expect(notice).toBe(`no server at ${url}; using the embedded SmolLM2-135M — fine to try PyAgent, too small for real work; start vLLM for real tasks`)
    expect(result.stderr.split('\n')[0]).toBe(notice)
    expect(result.stderr.split(notice)).toHaveLength(2)
    const events = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as {type: string; status?: string})
    expect(events.some((event) => event.type === 'tool_call')).toBe(true)
    const finished = events.at(-1)!
    expect(finished.type).toBe('task_finished')
    expect(result.exitCode).toBe(EXIT_CODES[finished.status as keyof typeof EXIT_CODES])
  })
})

describe.skipIf(!entry)('Ctrl-C while the embedded model loads or answers', () => {
  it('ends the run at once with exit 130, no stack trace, nothing written, however early it comes', {timeout: 120_000}, async () => {
    const url = await deadUrl()
    for (const delayMs of [200, 400, 700, 1200]) {
      const repo = tempRepo(FIXTURE)
      const child = execa(process.execPath, [BIN, 'run', '--task', 'Fix add', '--cwd', repo.root], {env: {PYAGENT_BASE_URL: url}, reject: false, stdin: 'ignore'})
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      child.kill('SIGINT')
      const result = await child
      // Before PyAgent has started listening, the signal ends node as it ends any program (the shell shows 130 too).
      expect(result.exitCode ?? result.signal, `Ctrl-C after ${delayMs} ms`).toBeOneOf([EXIT_CODES.interrupted, 'SIGINT'])
      expect(result.stderr).not.toMatch(/^\s+at /m)
      expect(repo.git('status', '--porcelain')).toBe('')
    }
  })
})
