import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {FIXTURE} from '../agent/harness.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'
import {editAdd, editGreet, finish, readEvents, scriptedByTask, serve, slow, stuckAfterTheEdit, tool, waitFor} from './support.js'

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

  it('numbers every event; a client that reconnects with Last-Event-ID gets the rest, none lost and none repeated', async () => {
    model.setHandler(scriptedByTask({'TASK-SSE': {steps: [slow(tool('read_file', {path: 'src/add.js'}), 20), slow(editAdd, 20), finish('add adds')]}}))
    const repo = repository()
    const fleet = await serve(model)
    const {body: task} = await fleet.api('POST', '/tasks', {body: {repository: repo.root, task: 'TASK-SSE: fix add', priority: 'high'}})
    const first = await readEvents(fleet.url, task.id, {stopAfter: 3})
    expect(first.events.map((event) => event.id)).toEqual([1, 2, 3])
    const rest = await readEvents(fleet.url, task.id, {lastEventId: 3})
    expect(rest.ended).toBe('done')
    const whole = await readEvents(fleet.url, task.id)
    const ids = [...first.events, ...rest.events].map((event) => event.id)
    expect(ids).toEqual(whole.events.map((event) => event.id))
    expect(ids).toEqual(Array.from({length: ids.length}, (_, index) => index + 1))
    expect([...first.events, ...rest.events]).toEqual(whole.events)
    const types = whole.events.map((event) => event.event.type)
    expect(types[0]).toBe('attempt_started')
    expect(types).toContain('task_started')
    expect(types.filter((type) => type === 'task_finished').length).toBeGreaterThan(0)
    expect(types.at(-1)).toBe('attempt_ended')
    const beyond = await readEvents(fleet.url, task.id, {lastEventId: ids.length})
    expect(beyond).toEqual({events: [], ended: 'done'})
    expect((await fetch(`${fleet.url}/tasks/${task.id}/events`, {headers: {'last-event-id': 'seven'}})).status).toBe(400)
  })

  it('cancel mid-run stops the run: the task is cancelled, no branch, no commit, nothing written anywhere', async () => {
    model.setHandler(scriptedByTask({'TASK-CANCEL': {steps: [editAdd, slow(finish('never gets here'), 2_000)]}}))
    const repo = repository()
    const head = repo.git('rev-parse', 'HEAD').trim()
    const fleet = await serve(model)
    const {body: task} = await fleet.api('POST', '/tasks', {body: {repository: repo.root, task: 'TASK-CANCEL: fix add'}})
    const askedAfterTheEdit = (request: {body: any}) =>
      JSON.stringify(request.body).includes('TASK-CANCEL') && request.body.messages.some((message: {role: string}) => message.role === 'assistant')
    await waitFor('the model to be asked after the edit was staged', async () => (model.chatRequests().some(askedAfterTheEdit) ? true : undefined))
    const cancel = await fleet.api('POST', `/tasks/${task.id}/cancel`)
    expect(cancel.status).toBe(202)
    const ended = await readEvents(fleet.url, task.id)
    expect(ended.ended).toBe('cancelled')
    const shown = (await fleet.api('GET', `/tasks/${task.id}`)).body
    expect(shown).toMatchObject({status: 'cancelled', commit: null, patch: null, files: [], cancelRequested: true})
    expect(ended.events.map((event) => event.event.type)).not.toContain('committed')
    expect(repo.git('branch', '--list', 'pyagent/*')).toBe('')
    expect(repo.git('rev-parse', 'HEAD').trim()).toBe(head)
    expect(repo.git('status', '--porcelain')).toBe('')
    expect(repo.git('worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1)
    expect((await fleet.api('POST', `/tasks/${task.id}/cancel`)).body.error.code).toBe('E_FLEET_TASK_STATE')
  })

  it('a worker SIGKILLed mid-task: the server restarts it, the task is retried from a fresh worktree after its heartbeat lapses, and finishes once', async () => {
    model.setHandler(scriptedByTask({'TASK-KILL': (attempt) => ({steps: attempt === 1 ? [slow(editAdd, 1_000)] : [editAdd, finish('add adds')]})}))
    const repo = repository()
    const fleet = await serve(model, {workers: 1})
    const {body: task} = await fleet.api('POST', '/tasks', {body: {repository: repo.root, task: 'TASK-KILL: fix add'}})
    const victim = await waitFor('the worker to run the task', async () => {
      const health = (await fleet.api('GET', '/health')).body
      return health.workers.find((worker: {task: string | null}) => worker.task === task.id)
    })
    await waitFor('the model to be asked', async () => (model.chatRequests().some((request) => JSON.stringify(request.body).includes('TASK-KILL')) ? true : undefined))
    process.kill(victim.pid, 'SIGKILL')
    const ended = await readEvents(fleet.url, task.id)
    expect(ended.ended).toBe('done')
    const shown = (await fleet.api('GET', `/tasks/${task.id}`)).body
    expect(shown).toMatchObject({status: 'done', attempts: 2, files: ['src/add.js']})
    const types = ended.events.map((event) => `${event.attempt}:${event.event.type}`)
    expect(types).toContain('1:attempt_lapsed')
    expect(types.filter((type) => type.endsWith(':attempt_ended'))).toEqual(['2:attempt_ended'])
    expect(types.filter((type) => type.endsWith(':committed'))).toEqual(['2:committed'])
    expect(repo.git('rev-list', '--count', `HEAD..pyagent/${task.id}`).trim()).toBe('1')
    const health = (await fleet.api('GET', '/health')).body
    expect(health.workers).toEqual([expect.objectContaining({restarts: 1})])
    expect(health.workers[0].pid).not.toBe(victim.pid)
    const metrics = (await fleet.api('GET', '/metrics')).body as string
    expect(metrics).toMatch(/pyagent_fleet_tasks\{status="done"\} 1/)
    expect(metrics).toMatch(/pyagent_task_duration_seconds_count\{[^}]*pyagent_task_status="done"[^}]*\} [1-9]/)
    expect(metrics).toMatch(/pyagent_fleet_queue_depth 0/)
  })

  it('with its one worker busy, runs the queued tasks highest priority first, first come first served within a priority', async () => {
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    model.setHandler(async (request) => {
      if (JSON.stringify(request.body).includes('TASK-BLOCKER')) await held
      return request.body.tools ? finish('nothing to do') : {type: 'completion', text: JSON.stringify({verdict: 'approve', feedback: 'good'})}
    })
    const repo = repository()
    const fleet = await serve(model, {workers: 1})
    const submit = async (task: string, priority: string) => (await fleet.api('POST', '/tasks', {body: {repository: repo.root, task, priority}})).body.id as string
    const blocker = await submit('TASK-BLOCKER: hold the worker', 'low')
    await waitFor('the worker to be held by the blocker', async () => (model.chatRequests().some((request) => JSON.stringify(request.body).includes('TASK-BLOCKER')) ? true : undefined))
    const order = [['l1', 'low'], ['n1', 'normal'], ['h1', 'high'], ['x1', 'highest'], ['n2', 'normal'], ['l2', 'low'], ['x2', 'highest'], ['h2', 'high']] as const
    const names = new Map<string, string>()
    for (const [name, priority] of order) names.set(await submit(`TASK-${name}: nothing`, priority), name)
    release()
    const ended = await waitFor('every task to end', async () => {
      const {tasks} = (await fleet.api('GET', '/tasks?status=done')).body as {tasks: {id: string; startedAt: string}[]}
      return tasks.length === order.length + 1 ? tasks : undefined
    })
    const started = ended.filter((task) => task.id !== blocker).sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))
    expect(started.map((task) => names.get(task.id))).toEqual(['x1', 'x2', 'h1', 'h2', 'n1', 'n2', 'l1', 'l2'])
  })

  it('the server SIGKILLed during a task\'s last attempt: after a restart the task is interrupted, and neither its worktree nor its branch is left', async () => {
    const script = stuckAfterTheEdit('TASK-ORPHAN')
    model.setHandler(script.handler)
    const repo = repository()
    const env = {PYAGENT_FLEET_MAX_ATTEMPTS: '1'}
    const first = await serve(model, {workers: 1, env})
    const {body: task} = await first.api('POST', '/tasks', {body: {repository: repo.root, task: 'TASK-ORPHAN: fix add'}})
    await waitFor('the edit to be staged in the task\'s worktree', async () => (script.stuck(model.chatRequests()) ? true : undefined))
    expect(repo.git('worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(2)
    first.process.kill('SIGKILL')
    await first.process
    const second = await serve(model, {workers: 1, env, home: first.home})
    const ended = await readEvents(second.url, task.id)
    expect(ended.ended).toBe('interrupted')
    await waitFor('the worktree and the branch to be discarded', async () =>
      repo.git('worktree', 'list', '--porcelain').match(/^worktree /gm)?.length === 1 && repo.git('branch', '--list', 'pyagent/*') === '' ? true : undefined, 10_000)
    expect(readdirSync(join(first.home, 'worktrees'))).toEqual([])
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  it('a worker SIGKILLed on a task\'s last attempt: the server marks it interrupted and discards the worktree and branch the worker could not', async () => {
    const script = stuckAfterTheEdit('TASK-LAST')
    model.setHandler(script.handler)
    const repo = repository()
    const fleet = await serve(model, {workers: 1, env: {PYAGENT_FLEET_MAX_ATTEMPTS: '1'}})
    const {body: task} = await fleet.api('POST', '/tasks', {body: {repository: repo.root, task: 'TASK-LAST: fix add'}})
    await waitFor('the edit to be staged in the task\'s worktree', async () => (script.stuck(model.chatRequests()) ? true : undefined))
    const {workers} = (await fleet.api('GET', '/health')).body as {workers: {pid: number}[]}
    process.kill(workers[0]!.pid, 'SIGKILL')
    expect((await readEvents(fleet.url, task.id)).ended).toBe('interrupted')
    await waitFor('the worktree and the branch to be discarded', async () =>
      repo.git('worktree', 'list', '--porcelain').match(/^worktree /gm)?.length === 1 && repo.git('branch', '--list', 'pyagent/*') === '' ? true : undefined, 10_000)
    expect(readdirSync(join(fleet.home, 'worktrees'))).toEqual([])
  })

  it('refuses a bad body with a 400 whose error names the field, never a 500', async () => {
    const repo = repository()
    const fleet = await serve(model, {workers: 1})
    const cases: [unknown, string][] = [
      [{repository: repo.root, task: 'x', priority: 'urgent'}, 'body.priority'],
      [{repository: repo.root, task: '   '}, 'body.task'],
      [{repository: 'relative/path', task: 'x'}, 'body.repository'],
      [{repository: repo.root, task: 'x', colour: 'red'}, 'body.colour'],
      [{repository: repo.root, task: 'x', budgets: {maxSteps: -1}}, 'body.budgets.maxSteps'],
      [{repository: repo.root, task: 'x', branch: '--upload-pack=evil'}, 'body.branch'],
      [{repository: '/nonexistent/repo', task: 'x'}, 'body.repository'],
      [{repository: 'ext::sh -c touch% /tmp/pwned', task: 'x'}, 'body.repository'],
      ['{"repository": ', 'body'],
    ]
    for (const [body, field] of cases) {
      const answer = await fleet.api('POST', '/tasks', {body})
      expect({status: answer.status, code: answer.body.error.code, field: answer.body.error.field}).toEqual({status: 400, code: 'E_FLEET_REQUEST', field})
    }
    expect((await fleet.api('GET', '/tasks?status=sleeping')).body.error.field).toBe('query.status')
    expect((await fleet.api('GET', '/tasks/not-a-uuid')).body.error.field).toBe('path.id')
    expect((await fleet.api('GET', '/tasks/00000000-0000-4000-8000-000000000000')).status).toBe(404)
    expect((await fleet.api('GET', '/tasks')).body).toEqual({tasks: []})
  })

  it('takes a repository by git URL: a mirror is cloned once into the cache and fetched for the next task; the origin is left as it was', async () => {
    model.setHandler(scriptedByTask({'TASK-URL-1': {steps: [editAdd, finish('add adds')]}, 'TASK-URL-2': {steps: [editGreet, finish('greet says hello')]}}))
    const origin = repository()
    const fleet = await serve(model, {workers: 1})
    const url = `file://${origin.root}`
    const run = async (task: string) => {
      const {body} = await fleet.api('POST', '/tasks', {body: {repository: url, task, branch: 'main'}})
      expect((await readEvents(fleet.url, body.id)).ended).toBe('done')
      return (await fleet.api('GET', `/tasks/${body.id}`)).body
    }
    const first = await run('TASK-URL-1: fix add')
    origin.write('NEWS.md', 'a commit made after the first task\n')
    origin.git('add', 'NEWS.md')
    origin.git('commit', '-qm', 'news')
    const second = await run('TASK-URL-2: fix greet')
    expect(first).toMatchObject({repository: url, files: ['src/add.js']})
    expect(second.baseCommit).toBe(origin.git('rev-parse', 'HEAD').trim())
    expect(second.baseCommit).not.toBe(first.baseCommit)
    expect(second.patch).toContain('+++ b/src/greet.js')
    expect(origin.git('branch', '--list', 'pyagent/*')).toBe('')
    expect(origin.git('status', '--porcelain')).toBe('')
  })
})
