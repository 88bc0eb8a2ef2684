import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {readFleetStats} from '../../src/app/fleet-stats.js'
import {FLEET_MIGRATIONS} from '../../src/fleet/migrations.js'
import {SqliteFleetStore} from '../../src/fleet/sqlite-store.js'
import {openFleetStore} from '../../src/fleet/store.js'
import {openStateAt} from '../../src/state/db.js'
import {appendFleetEvent, claimNextTask, eventsAfter, finishAttempt, submitTask} from '../../src/fleet/tasks.js'
import {FIXTURE} from '../agent/harness.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'
import {IN_PROCESS_PORT as PORT, inProcessApp, TOKEN} from './in-process.js'

const host = `127.0.0.1:${PORT}`

function fleet(bind = '127.0.0.1') {
  const {api: app, db, store} = inProcessApp(bind)
  const call = async (method: 'GET' | 'POST', url: string, options: {body?: unknown; headers?: Record<string, string>} = {}) => {
    const answer = await app.inject({method, url, headers: {host, ...options.headers}, ...(options.body === undefined ? {} : {payload: options.body as object})})
    return {status: answer.statusCode, headers: answer.headers, text: answer.body, json: () => answer.json()}
  }
  return {db, store, app, call}
}

/** A task run to its end by hand: claimed, its events appended at the given times, finished with `patch`. */
function finishedTask(db: ReturnType<typeof fleet>['db'], options: {repository: string; status: 'done' | 'failed'; at: number; patch?: string; steps?: number[]; edits?: ('ok' | 'error')[]}) {
  const task = submitTask(db, {repository: options.repository, task: 'fix add', role: 'coder', priority: 'normal', approve: 'edits', budgets: {}}, 3, options.at)
  const claim = claimNextTask(db, 'worker-test', options.at + 1_000)!
  const fence = {id: task.id, attempt: claim.attempt, worker: claim.worker}
  for (const [index, at] of (options.steps ?? []).entries()) appendFleetEvent(db, fence, {type: 'step_started', taskId: 'agent-1', step: index + 1}, at)
  for (const status of options.edits ?? []) appendFleetEvent(db, fence, {type: 'tool_result', taskId: 'agent-1', tool: 'edit', status, callId: 'c', output: '', truncated: false}, options.at + 50_000)
  const finishedAt = options.at + 60_000
  appendFleetEvent(db, fence, {type: 'task_finished', taskId: 'agent-1', status: options.status, summary: ''}, finishedAt)
  const result = {status: options.status, exitCode: options.status === 'done' ? 0 : 1, summary: 'ok', error: null, baseCommit: null, commit: options.patch ? 'c0ffee' : null, patch: options.patch ?? null, files: options.patch ? ['src/add.js'] : [], tokens: 1_000, costUsd: 0.25}
  expect(finishAttempt(db, fence, result, finishedAt)).toBe(true)
  return task
}

/** A repository and a done task whose patch fixes src/add.js in it. */
function repositoryWithDoneTask() {
  const repo = tempRepo(FIXTURE)
  const base = repo.git('rev-parse', 'HEAD').trim()
  repo.write('src/add.js', FIXTURE['src/add.js'].replace('a - b', 'a + b'))
  const patch = repo.git('diff', '--no-color', base, '--')
  repo.git('checkout', '-q', '--', '.')
  const {db, call} = fleet()
  const task = finishedTask(db, {repository: repo.root, status: 'done', at: Date.now() - 120_000, patch})
  return {repo, db, call, task, added: join(repo.root, 'src/add.js')}
}

describe('the dashboard\'s page and bundle', () => {
  it('is served at / with a strict Content-Security-Policy: own script and styles only, nothing inline, no framing, Trusted Types', async () => {
    const {call} = fleet()
    const page = await call('GET', '/')
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    const csp = String(page.headers['content-security-policy'])
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("require-trusted-types-for 'script'")
    expect(csp).not.toMatch(/unsafe-|\*|https?:/)
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    expect(page.text).toContain('<script type="module" src="/dashboard/app.js"></script>')
    expect(page.text).not.toMatch(/<script>|<style>| style=| on[a-z]+=/)
    const script = await call('GET', '/dashboard/app.js')
    expect(script.status).toBe(200)
    expect(script.headers['content-type']).toMatch(/^text\/javascript/)
    expect(script.text).toBe(readFileSync(new URL('../../dist/dashboard/app.js', import.meta.url), 'utf8'))
    expect((await call('GET', '/dashboard/app.css')).headers['content-type']).toMatch(/^text\/css/)
  })

  it('beyond loopback: the page and bundle load without the token (they hold no data), every API route still asks for it, and a foreign Host is refused everywhere', async () => {
    const {call} = fleet('0.0.0.0')
    expect((await call('GET', '/')).status).toBe(200)
    expect((await call('GET', '/dashboard/app.js')).status).toBe(200)
    for (const [method, url] of [['GET', '/tasks'], ['GET', '/stats'], ['POST', '/tasks/00000000-0000-4000-8000-000000000000/undo'], ['GET', '/dashboard/app.js/../../tasks'], ['GET', '/dashboard/../tasks'], ['GET', '//tasks']] as const) {
      const answer = await call(method, url)
      expect({url, status: answer.status}).toEqual({url, status: 401})
    }
    expect((await call('GET', '/stats', {headers: {authorization: `Bearer ${TOKEN}`}})).status).toBe(200)
    expect((await call('GET', '/', {headers: {host: `rebound.example:${PORT}`}})).status).toBe(403)
    expect((await call('GET', '/dashboard/app.js', {headers: {origin: 'http://evil.example'}})).status).toBe(403)
  })
})

describe('GET /stats', () => {
  it('refuses a bad query with a 400 naming the field', async () => {
    const {call} = fleet()
    for (const [query, field] of [
      ['since=yesterday', 'query.since'],
      ['since=-5h', 'query.since'],
      ['since=2000h', 'query.since'],
      ['bucket=week', 'query.bucket'],
      ['colour=red', 'query.colour'],
    ]) {
      const answer = await call('GET', `/stats?${query}`)
      expect({query, status: answer.status, code: answer.json().error.code, field: answer.json().error.field}).toEqual({query, status: 400, code: 'E_FLEET_REQUEST', field})
    }
    expect((await call('GET', '/stats?since=2000h&bucket=day')).status).toBe(200)
  })

  it('counts per hour the tasks queued and running at its end, the ones that ended in it, their pyagent stats figures and their step latency', async () => {
    const {db, store} = fleet()
    const hour = 3_600_000
    const now = Date.UTC(2026, 0, 10, 12, 30)
    const start = Date.UTC(2026, 0, 10, 9, 0)
    // Hour 9: a task done with 3 steps of 10 s, 20 s (and 30 s to its end), one edit of two applied; one failed with no steps.
    finishedTask(db, {repository: '/srv/a', status: 'done', at: start, steps: [start + 0, start + 10_000, start + 30_000], edits: ['ok', 'error']})
    finishedTask(db, {repository: '/srv/b', status: 'failed', at: start + 1_000})
    // Hour 11: one task running since 11:10, one queued since 11:20.
    submitTask(db, {repository: '/srv/c', task: 'run', role: 'coder', priority: 'normal', approve: 'edits', budgets: {}}, 3, start + 2 * hour + 10 * 60_000)
    claimNextTask(db, 'worker-test', start + 2 * hour + 10 * 60_000)
    submitTask(db, {repository: '/srv/d', task: 'wait', role: 'coder', priority: 'normal', approve: 'edits', budgets: {}}, 3, start + 2 * hour + 20 * 60_000)
    const stats = await readFleetStats(store, {since: 4 * hour, bucket: 'hour'}, now)
    expect(stats.series.map((point) => point.start)).toEqual([8, 9, 10, 11, 12].map((at) => new Date(Date.UTC(2026, 0, 10, at)).toISOString()))
    const [eight, nine, ten, eleven, twelve] = stats.series
    expect(eight).toMatchObject({queued: 0, running: 0, ended: {done: 0, failed: 0, cancelled: 0, interrupted: 0}, stepMs: null})
    expect(nine).toMatchObject({queued: 0, running: 0, ended: {done: 1, failed: 1, cancelled: 0, interrupted: 0}})
    expect(nine!.figures).toMatchObject({tasks: 2, succeeded: 1, successRate: 0.5, steps: 3, tokens: 2_000, costUsd: 0.5, edits: 2, editsApplied: 1, editApplyRate: 0.5})
    expect(nine!.stepMs).toEqual({count: 3, p50: 20_000, p95: 30_000})
    expect(ten).toMatchObject({queued: 0, running: 0, figures: {tasks: 0, successRate: null}})
    expect(eleven).toMatchObject({queued: 1, running: 1})
    expect(twelve).toMatchObject({queued: 1, running: 1})
    expect(stats.total).toMatchObject({tasks: 2, successRate: 0.5, steps: 3, tokens: 2_000, editApplyRate: 0.5})
    expect((await readFleetStats(store, {since: hour, bucket: 'hour'}, now)).total.tasks).toBe(0)
  })
})

describe('a fleet database made before the dashboard', () => {
  it('is migrated at open: its events keep their numbers, are counted by type, and only their step latency is unknown (they have no time)', async () => {
    const path = join(tempDir('pyagent-fleet-'), 'fleet.db')
    const old = openStateAt(path, FLEET_MIGRATIONS.slice(0, 1))
    const at = Date.UTC(2026, 0, 10, 9)
    old.prepare(
      `INSERT INTO fleet_tasks (id, seq, repository, task, role, priority, priority_rank, approve, budgets, status, attempts, max_attempts, tokens, cost_usd, created_at, started_at, finished_at)
       VALUES ('00000000-0000-4000-8000-000000000001', 1, '/srv/a', 'old', 'coder', 'normal', 1, 'edits', '{}', 'done', 1, 3, 10, 0.5, ?, ?, ?)`,
    ).run(at, at, at + 60_000)
    const insert = old.prepare("INSERT INTO fleet_events (task_id, seq, attempt, event) VALUES ('00000000-0000-4000-8000-000000000001', ?, 1, ?)")
    for (const [seq, event] of [[1, {type: 'step_started', taskId: 'a', step: 1}], [2, {type: 'tool_result', taskId: 'a', tool: 'write_file', status: 'ok'}], [3, {type: 'task_finished', taskId: 'a', status: 'done'}]] as const) insert.run(seq, JSON.stringify(event))
    old.close()
    const db = openFleetStore(path)
    expect(eventsAfter(db, '00000000-0000-4000-8000-000000000001', 0).map((event) => event.seq)).toEqual([1, 2, 3])
    const stats = await readFleetStats(SqliteFleetStore.open(path), {since: 3_600_000, bucket: 'hour'}, at + 120_000)
    expect(stats.total).toMatchObject({tasks: 1, steps: 1, edits: 1, editsApplied: 1, tokens: 10})
    expect(stats.series.map((point) => point.stepMs)).toEqual([null, null])
    db.close()
  })
})

describe('apply and undo of a task in its repository on the server\'s machine', () => {
  it('apply brings the patch into the working tree in one transaction, undo takes it out; each is recorded as the task\'s event, and each refuses when it has nothing to do', async () => {
    const {repo, db, call, task, added} = repositoryWithDoneTask()
    const applied = await call('POST', `/tasks/${task.id}/apply`, {body: {}})
    expect(applied.status).toBe(200)
    expect(applied.json()).toMatchObject({task: task.id, files: ['src/add.js']})
    expect(readFileSync(added, 'utf8')).toContain('a + b')
    const again = await call('POST', `/tasks/${task.id}/apply`, {body: {}})
    expect({status: again.status, code: again.json().error.code}).toEqual({status: 409, code: 'E_FLEET_TASK_STATE'})
    const undone = await call('POST', `/tasks/${task.id}/undo`)
    expect(undone.status).toBe(200)
    expect(undone.json()).toMatchObject({task: task.id, undid: applied.json().txId, files: ['src/add.js']})
    expect(readFileSync(added, 'utf8')).toBe(FIXTURE['src/add.js'])
    const twice = await call('POST', `/tasks/${task.id}/undo`, {body: {}})
    expect({status: twice.status, code: twice.json().error.code}).toEqual({status: 409, code: 'E_FLEET_TASK_STATE'})
    expect(twice.json().error.message).toContain(`pyagent/${task.id}`)
    expect((await call('POST', `/tasks/${task.id}/apply`, {body: {}})).status).toBe(200)
    const types = eventsAfter(db, task.id, 0).map((event) => event.event.type)
    expect(types.filter((type) => type === 'applied' || type === 'undone')).toEqual(['applied', 'undone', 'applied'])
    expect(repo.git('status', '--porcelain', '--', 'src')).toContain('src/add.js')
  })

  it('two applies at once (a double click): one applies, the other is refused, and the change is in the tree once', async () => {
    const {db, call, task, added} = repositoryWithDoneTask()
    const answers = await Promise.all([call('POST', `/tasks/${task.id}/apply`, {body: {}}), call('POST', `/tasks/${task.id}/apply`, {body: {}})])
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409])
    expect(readFileSync(added, 'utf8')).toBe(FIXTURE['src/add.js'].replace('a - b', 'a + b'))
    expect(eventsAfter(db, task.id, 0).filter((event) => event.event.type === 'applied')).toHaveLength(1)
  })

  it('undo refuses (409 E_UNDO_REFUSED) when the file changed after the apply and leaves it as it is; force restores it', async () => {
    const {repo, call, task, added} = repositoryWithDoneTask()
    expect((await call('POST', `/tasks/${task.id}/apply`, {body: {}})).status).toBe(200)
    repo.write('src/add.js', 'changed by hand\n')
    const refused = await call('POST', `/tasks/${task.id}/undo`, {body: {}})
    expect({status: refused.status, code: refused.json().error.code}).toEqual({status: 409, code: 'E_UNDO_REFUSED'})
    expect(readFileSync(added, 'utf8')).toBe('changed by hand\n')
    expect((await call('POST', `/tasks/${task.id}/undo`, {body: {force: true}})).status).toBe(200)
    expect(readFileSync(added, 'utf8')).toBe(FIXTURE['src/add.js'])
  })

  it('apply refuses a working tree the patch no longer fits (409), and writes nothing', async () => {
    const {repo, call, task, added} = repositoryWithDoneTask()
    repo.write('src/add.js', 'export const add = (a, b) => b - a\n')
    const refused = await call('POST', `/tasks/${task.id}/apply`, {body: {}})
    expect(refused.status).toBe(409)
    expect(readFileSync(added, 'utf8')).toBe('export const add = (a, b) => b - a\n')
  })

  it('refuses bad input with a 4xx naming the field, an unknown task with 404, and a task without a local result with 409', async () => {
    const {db, call, task} = repositoryWithDoneTask()
    const bad: [string, unknown, number, string | undefined][] = [
      [`/tasks/${task.id}/undo`, {force: 'yes'}, 400, 'body.force'],
      [`/tasks/${task.id}/undo`, {force: true, everything: true}, 400, 'body.everything'],
      [`/tasks/${task.id}/undo`, '{"force": ', 400, 'body'],
      ['/tasks/not-a-task/apply', {}, 400, 'path.id'],
      ['/tasks/..%2F..%2Fetc/undo', {}, 400, 'path.id'],
      ['/tasks/00000000-0000-4000-8000-000000000000/apply', {}, 404, undefined],
    ]
    for (const [url, body, status, field] of bad) {
      const answer = await call('POST', url, {body, headers: {'content-type': 'application/json'}})
      expect({url, status: answer.status, field: answer.json().error.field}).toEqual({url, status, field})
    }
    const failed = finishedTask(db, {repository: task.repository, status: 'failed', at: Date.now()})
    expect((await call('POST', `/tasks/${failed.id}/apply`, {body: {}})).json().error.code).toBe('E_FLEET_TASK_STATE')
    const remote = finishedTask(db, {repository: 'https://example.invalid/repo.git', status: 'done', at: Date.now(), patch: 'diff --git a/x b/x\n'})
    const byUrl = await call('POST', `/tasks/${remote.id}/apply`, {body: {}})
    expect({status: byUrl.status, code: byUrl.json().error.code}).toEqual({status: 409, code: 'E_FLEET_TASK_STATE'})
  })
})

describe('the OpenAPI document', () => {
  it('describes apply, undo and stats from their zod schemas', async () => {
    const document = (await fleet().call('GET', '/openapi.json')).json()
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/tasks/{id}/apply', '/tasks/{id}/undo', '/stats']))
    expect(document.paths['/stats'].get.parameters.map((parameter: {name: string}) => parameter.name)).toEqual(['since', 'bucket'])
    expect(document.components.schemas.UndoTask.properties.force.type).toBe('boolean')
    expect(document.components.schemas.Stats.properties.series.items.required).toEqual(expect.arrayContaining(['queued', 'running', 'ended', 'figures', 'stepMs']))
  })
})
