/**
 * The task benchmark's harness (bench/tasks): its catalog is sound, and a run is judged by what
 * happened, not by what the model said. Replayed answers stand in for a model.
 */
import {describe, expect, it} from 'vitest'

import {TASKS} from '../../bench/tasks/catalog/index.js'
import {checkTask} from '../../bench/tasks/repo.js'
import {replayOfFix, runTask} from '../../bench/tasks/run.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'

const task = (id: string) => TASKS.find((candidate) => candidate.id === id)!

async function withServer<T>(work: (server: OpenAiTestServer) => Promise<T>): Promise<T> {
  const server = await startOpenAiServer()
  try {
    return await work(server)
  } finally {
    await server.close()
  }
}

describe('the task benchmark', () => {
  it('has at least 40 tasks over four languages and six kinds, with unique ids', () => {
    expect(TASKS.length).toBeGreaterThanOrEqual(40)
    expect(new Set(TASKS.map((candidate) => candidate.id)).size).toBe(TASKS.length)
    expect(new Set(TASKS.map((candidate) => candidate.language))).toEqual(new Set(['javascript', 'python', 'go', 'rust']))
    expect(new Set(TASKS.map((candidate) => candidate.kind)).size).toBe(6)
  })

  it('every task fails as given and passes with its reference fix, visible and hidden tests alike', {timeout: 240_000}, () => {
    const problems = TASKS.flatMap((candidate) => checkTask(candidate).map((problem) => `${candidate.id}: ${problem}`))
    expect(problems).toEqual([])
  })

  it.each(['js-rename-across-files', 'py-median-missing-case'])('counts %s solved when the replayed answers apply the fix', {timeout: 60_000}, async (id) => {
    const outcome = await withServer((server) => {
      server.enqueue(...replayOfFix(task(id).fix))
      return runTask(task(id), {endpoint: server.baseUrl, maxSteps: 10, timeoutSec: 60, config: {actionProtocol: 'tools'}})
    })
    expect(outcome).toMatchObject({solved: true, ended: 'done', exitCode: 0, editsProposed: task(id).fix.length, editsApplied: task(id).fix.length})
    expect(outcome.steps).toBe(task(id).fix.length + 2)
    expect(outcome.tokens).toBeGreaterThan(0)
  })

  it('counts a run that edits the wrong text, then gives up, as unsolved with its edit proposed but not applied', {timeout: 60_000}, async () => {
    const outcome = await withServer((server) => {
      server.enqueue(
        {type: 'completion', toolCalls: [{name: 'edit', arguments: JSON.stringify({path: 'src/range.js', edits: [{search: 'no such text', replace: 'x'}]})}]},
        {type: 'error', status: 400, message: 'the model gave up'},
      )
      return runTask(task('js-range-off-by-one'), {endpoint: server.baseUrl, maxSteps: 10, timeoutSec: 60, config: {actionProtocol: 'tools', maxRetries: 0}})
    })
    expect(outcome).toMatchObject({solved: false, editsProposed: 1, editsApplied: 0})
    expect(outcome.ended).not.toBe('done')
    expect(outcome.note).not.toBe('')
  })
})
