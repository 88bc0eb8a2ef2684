import {execFileSync} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {FIXTURE} from '../agent/harness.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'
import {editAdd, editGreet, finish, readEvents, scriptedByTask, serve, slow, waitFor} from './support.js'

let model: OpenAiTestServer
beforeAll(async () => {
  model = await startOpenAiServer()
})
afterAll(() => model.close())

const repository = () => tempRepo({...FIXTURE, 'test.js': "console.log('all tests pass')\n"})

describe('pyagent serve', {timeout: 120_000}, () => {
  it('runs two tasks in parallel, each in its own worktree, each committed on its own branch with its patch; nothing of them reaches the working tree', async () => {
    model.setHandler(
      scriptedByTask({
        'TASK-ADD': {steps: [slow(editAdd, 30), finish('add adds')]},
        'TASK-GREET': {steps: [slow(editGreet, 30), finish('greet says hello')]},
      }),
    )
    const repo = repository()
    const head = repo.git('rev-parse', 'HEAD').trim()
    const fleet = await serve(model)
    const submitted = await Promise.all(
      ['TASK-ADD: make add add', 'TASK-GREET: make greet say hello'].map((task) => fleet.api('POST', '/tasks', {body: {repository: repo.root, task}})),
    )
    expect(submitted.map((answer) => answer.status)).toEqual([201, 201])
    const ids = submitted.map((answer) => answer.body.id as string)
    const running = await waitFor('both tasks running at once', async () => {
      const health = (await fleet.api('GET', '/health')).body
      return health.workers.filter((worker: {task: string | null}) => worker.task).length === 2 ? health : undefined
    })
    expect(running.workers.map((worker: {task: string}) => worker.task).sort()).toEqual([...ids].sort())
    const finished = await Promise.all(ids.map((id) => waitFor(`task ${id}`, async () => {
      const task = (await fleet.api('GET', `/tasks/${id}`)).body
      return ['done', 'failed'].includes(task.status) ? task : undefined
    })))
    for (const [task, file] of [[finished[0], 'src/add.js'], [finished[1], 'src/greet.js']] as const) {
      expect(task).toMatchObject({status: 'done', attempts: 1, baseCommit: head, branch: `pyagent/${task.id}`, files: [file]})
      expect(repo.git('rev-parse', `pyagent/${task.id}`).trim()).toBe(task.commit)
      expect(repo.git('rev-parse', `${task.commit}^`).trim()).toBe(head)
      expect(task.patch).toContain(`+++ b/${file}`)
      expect(task.usage.tokens).toBeGreaterThan(0)
    }
    expect(repo.git('worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1)
    expect(repo.git('status', '--porcelain')).toBe('')
    expect(repo.git('rev-parse', 'HEAD').trim()).toBe(head)
  })
})
