import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {connectFleetStore} from '../../src/fleet/connect-store.js'
import type {FleetChange, FleetStore} from '../../src/fleet/fleet-store.js'
import {PostgresFleetStore} from '../../src/fleet/postgres/store.js'
import {redactDatabaseUrl} from '../../src/fleet/postgres/url.js'
import {submitTaskSchema} from '../../src/fleet/schemas.js'
import {SqliteFleetStore} from '../../src/fleet/sqlite-store.js'
import {freePort} from '../support/free-port.js'
import {PG_PASSWORD, type PostgresCluster, postgresBinaries, startPostgres} from '../support/postgres.js'
import {tempDir} from '../support/temp-repo.js'
import {waitFor} from './support.js'

const bin = postgresBinaries()
let cluster: PostgresCluster
beforeAll(async () => {
  if (bin) cluster = await startPostgres(bin)
}, 120_000)
afterAll(async () => cluster?.stop())

const stores: FleetStore[] = []
afterAll(async () => {
  for (const store of stores) await store.close()
})

async function open(database?: string): Promise<{store: FleetStore; database: string}> {
  const name = database ?? (await cluster.createDatabase())
  const store = await connectFleetStore(cluster.url(name), {role: 'server'})
  stores.push(store)
  return {store, database: name}
}

const submit = (store: FleetStore, task: string, priority?: string, maxAttempts = 2) => store.submit(submitTaskSchema.parse({repository: '/srv/repo', task, priority}), maxAttempts)
const result = {status: 'done', exitCode: 0, summary: 'ok', error: null, baseCommit: 'a', commit: 'b', patch: 'p', files: ['x'], tokens: 5, costUsd: 0.25} as const
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe.skipIf(!bin)('the fleet store on PostgreSQL (pg-boss queue)', {timeout: 60_000}, () => {
  it('hands out the highest priority first and first come first served within one, across two connected workers, never the same task twice', async () => {
    const {store, database} = await open()
    const {store: other} = await open(database)
    const order = [['n1', 'normal'], ['l1', 'low'], ['h1', 'highest'], ['n2', 'normal'], ['h2', 'highest'], ['g1', 'high'], ['n3', 'normal']] as const
    for (const [task, priority] of order) await submit(store, task, priority)
    const claimed: string[] = []
    for (;;) {
      const [a, b] = await Promise.all([store.claimNext('wa'), other.claimNext('wb')])
      for (const claim of [a, b]) if (claim) claimed.push(claim.task.task)
      if (!a && !b) break
    }
    expect(new Set(claimed).size).toBe(claimed.length)
    expect([...claimed].sort()).toEqual(order.map(([task]) => task).sort())
    // Two at a time: each pair is in order, and no later pair holds a task that ranks before an earlier one.
    const rank = (task: string) => ['h1', 'h2', 'g1', 'n1', 'n2', 'n3', 'l1'].indexOf(task)
    for (let index = 2; index < claimed.length; index++) expect(rank(claimed[index]!)).toBeGreaterThan(Math.min(rank(claimed[index - 2]!), rank(claimed[index - 1]!)))
    expect(await store.countByStatus()).toMatchObject({queued: 0, running: 7})
  })

  it('fences a lapsed claim: the task goes back to its place in line, and the old worker\'s beats, events and result change nothing', async () => {
    const {store} = await open()
    const {id} = await submit(store, 'first')
    const first = (await store.claimNext('w1'))!
    await submit(store, 'second')
    expect(await store.appendEvent({id, attempt: 1, worker: 'w1'}, {type: 'task_started'})).toBe(2)
    await pause(30)
    expect(await store.recoverLapsed(1)).toEqual([{id, attempt: 1, outcome: 'requeued'}])
    expect(await store.get(id)).toMatchObject({status: 'queued', worker: null, attempts: 1})
    const second = (await store.claimNext('w2'))!
    expect({task: second.task.task, attempt: second.attempt}).toEqual({task: 'first', attempt: 2})
    const stale = {id, attempt: first.attempt, worker: 'w1'}
    expect((await store.heartbeat(stale)).held).toBe(false)
    expect(await store.appendEvent(stale, {type: 'tool_call'})).toBeUndefined()
    expect(await store.finishAttempt(stale, result)).toBe(false)
    expect((await store.heartbeat({id, attempt: 2, worker: 'w2'})).held).toBe(true)
    expect(await store.finishAttempt({id, attempt: 2, worker: 'w2'}, result)).toBe(true)
    expect(await store.finishAttempt({id, attempt: 2, worker: 'w2'}, result)).toBe(false)
    expect(await store.get(id)).toMatchObject({status: 'done', commit: 'b', patch: 'p', files: ['x'], usage: {tokens: 5, costUsd: 0.25}})
    expect((await store.eventsAfter(id, 0)).map(({seq, attempt, event}) => [seq, attempt, event.type])).toEqual([
      [1, 1, 'attempt_started'],
      [2, 1, 'task_started'],
      [3, 1, 'attempt_lapsed'],
      [4, 2, 'attempt_started'],
      [5, 2, 'attempt_ended'],
    ])
    expect((await store.eventsAfter(id, 3)).map((event) => event.seq)).toEqual([4, 5])
  })

  it('marks a task interrupted once its attempts are spent, and cancelled when a cancel was asked; a queued task is cancelled at once', async () => {
    const {store} = await open()
    const {id} = await submit(store, 'slow', 'normal', 1)
    await store.claimNext('w1')
    await pause(30)
    expect((await store.recoverLapsed(1))[0]!.outcome).toBe('interrupted')
    expect((await store.get(id)).error).toMatch(/stopped answering on each of 1 attempts; nothing of it was applied/)
    const other = await submit(store, 'cancel me', 'normal', 3)
    await store.claimNext('w1')
    expect((await store.requestCancel(other.id)).cancelRequested).toBe(true)
    expect(await store.heartbeat({id: other.id, attempt: 1, worker: 'w1'})).toEqual({held: true, cancelRequested: true})
    await pause(30)
    expect((await store.recoverLapsed(1))[0]!.outcome).toBe('cancelled')
    const later = await submit(store, 'later')
    expect((await store.requestCancel(later.id)).status).toBe('cancelled')
    expect(await store.claimNext('w1')).toBeUndefined()
    await expect(store.requestCancel(later.id)).rejects.toMatchObject({code: 'E_FLEET_TASK_STATE'})
    await expect(store.get('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({code: 'E_FLEET_TASK_UNKNOWN'})
  })

  it('lists by status and priority, newest first, and keeps a NUL byte in a task\'s text as U+FFFD rather than failing', async () => {
    const {store} = await open()
    await submit(store, 'a', 'low')
    await submit(store, 'b', 'high')
    await submit(store, 'c\0d', 'high')
    expect((await store.list({priority: 'high', limit: 10})).map((task) => task.task)).toEqual(['c\uFFFDd', 'b'])
    expect(await store.list({status: 'running', limit: 10})).toEqual([])
  })

  it('notifies every connection of each change: a task queued, an event appended, a cancel asked', async () => {
    const {store, database} = await open()
    const {store: elsewhere} = await open(database)
    const heard: FleetChange[] = []
    const stop = await elsewhere.watch!((change) => heard.push(change))
    const {id} = await submit(store, 'watched')
    await store.claimNext('w1')
    await store.appendEvent({id, attempt: 1, worker: 'w1'}, {type: 'tool_call'})
    await store.requestCancel(id)
    await waitFor('the notices', async () => (heard.length >= 4 ? true : undefined))
    await stop()
    expect(heard).toEqual([
      {task: id, status: 'queued', cancelRequested: false},
      {task: id, status: 'running', cancelRequested: false},
      {task: id, seq: 1},
      {task: id, seq: 2},
      {task: id, status: 'running', cancelRequested: true},
    ])
  })

  it('says what is wrong with a database it cannot use, with a stable code and the password masked', async () => {
    const database = await cluster.createDatabase()
    const wrong = cluster.url(database, 'not-the-password')
    await expect(connectFleetStore(wrong, {role: 'worker'})).rejects.toMatchObject({code: 'E_FLEET_DATABASE_AUTH', message: expect.not.stringContaining('not-the-password')})
    const nobody = `postgres://pyagent:${PG_PASSWORD}@127.0.0.1:${await freePort()}/fleet`
    const unreachable = connectFleetStore(nobody, {role: 'worker'})
    await expect(unreachable).rejects.toMatchObject({code: 'E_FLEET_DATABASE_UNREACHABLE'})
    await expect(unreachable).rejects.toMatchObject({message: expect.not.stringContaining(PG_PASSWORD)})
    await expect(connectFleetStore(cluster.url('no_such_database'), {role: 'worker'})).rejects.toMatchObject({code: 'E_FLEET_DATABASE', message: expect.stringContaining('does not exist')})
    for (const bad of [`postgres://pyagent:${PG_PASSWORD}@127.0.0.1:99999/fleet`, `postgres://pyagent:${PG_PASSWORD}@127.0.0.1:5432`]) {
      await expect(PostgresFleetStore.open(bad, {maintain: false, connections: 1})).rejects.toMatchObject({code: 'E_FLEET_DATABASE_URL', message: expect.not.stringContaining(PG_PASSWORD)})
    }
    expect(redactDatabaseUrl(`postgres://u:${PG_PASSWORD}@h:5/db?password=${PG_PASSWORD}`)).toBe('postgres://u:***@h:5/db?password=***')
    expect(redactDatabaseUrl(`postgres://u:${PG_PASSWORD}@h:99999/db`)).toBe('postgres://u:***@h:99999/db')
  })
})

/** One finished task with three steps and two edits (one applied), then applied and undone by the server. */
async function dashboardHistory(store: FleetStore): Promise<string> {
  const {id} = await submit(store, 'charted', 'normal', 3)
  const claim = (await store.claimNext('w1'))!
  const fence = {id, attempt: claim.attempt, worker: claim.worker}
  for (const step of [1, 2, 3]) {
    await store.appendEvent(fence, {type: 'step_started', taskId: 'agent-1', step})
    await pause(15)
  }
  await store.appendEvent(fence, {type: 'tool_result', taskId: 'agent-1', tool: 'edit', status: 'ok', callId: 'a', output: '', truncated: false})
  await store.appendEvent(fence, {type: 'tool_result', taskId: 'agent-1', tool: 'edit', status: 'error', callId: 'b', output: '', truncated: false})
  await store.appendEvent(fence, {type: 'tool_result', taskId: 'agent-1', tool: 'read_file', status: 'ok', callId: 'c', output: '', truncated: false})
  await store.appendEvent(fence, {type: 'task_finished', taskId: 'agent-1', status: 'done', summary: ''})
  await store.finishAttempt(fence, result)
  await store.appendEvent({id, attempt: claim.attempt, worker: null}, {type: 'applied', txId: 'tx-1', files: ['x']})
  await store.appendEvent({id, attempt: claim.attempt, worker: null}, {type: 'undone', txId: 'tx-2', undid: 'tx-1', files: ['x']})
  return id
}

describe.skipIf(!bin)("the dashboard's figures read from either store", {timeout: 60_000}, () => {
  it('are the same from PostgreSQL as from SQLite: the last attempt\'s steps and edits, each step\'s duration, the last apply or undo', async () => {
    const sqlite = SqliteFleetStore.open(join(tempDir('pyagent-fleet-'), 'fleet.db'))
    stores.push(sqlite)
    const {store: postgres} = await open()
    const figures = async (store: FleetStore) => {
      const id = await dashboardHistory(store)
      const [task] = await store.taskTimes(0)
      const steps = await store.stepTimings(0)
      return {
        task: {...task, id: task?.id === id, createdAt: typeof task?.createdAt, startedAt: typeof task?.startedAt, finishedAt: typeof task?.finishedAt},
        // The first two steps end at the next step_started, 15 ms on; the last at task_finished.
        steps: steps.map((step, index) => typeof step.at === 'number' && step.ms >= (index < 2 ? 10 : 0)),
        last: await store.lastEventOf(id, ['applied', 'undone']),
        noneOf: await store.lastEventOf(id, ['no-such-type']),
      }
    }
    const fromSqlite = await figures(sqlite)
    expect(fromSqlite.task).toMatchObject({id: true, status: 'done', steps: 3, edits: 2, editsApplied: 1, tokens: 5, costUsd: 0.25, createdAt: 'number', finishedAt: 'number'})
    expect(fromSqlite.steps).toEqual([true, true, true])
    expect(fromSqlite.last).toMatchObject({type: 'undone', undid: 'tx-1'})
    expect(fromSqlite.noneOf).toBeUndefined()
    expect(await figures(postgres)).toEqual(fromSqlite)
  })
})
