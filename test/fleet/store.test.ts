import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {fleetDatabasePath, openFleetStore} from '../../src/fleet/store.js'
import {submitTaskSchema} from '../../src/fleet/schemas.js'
import {
  appendFleetEvent,
  claimNextTask,
  countByStatus,
  eventsAfter,
  finishAttempt,
  getTask,
  heartbeat,
  listTasks,
  recoverLapsedTasks,
  requestCancel,
  submitTask,
} from '../../src/fleet/tasks.js'
import {tempDir} from '../support/temp-repo.js'

function store() {
  return openFleetStore(join(tempDir('pyagent-fleet-'), 'fleet.db'))
}

const submit = (db: ReturnType<typeof store>, task: string, priority?: string, maxAttempts = 2) =>
  submitTask(db, submitTaskSchema.parse({repository: '/srv/repo', task, priority}), maxAttempts)

const result = {status: 'done', exitCode: 0, summary: 'ok', error: null, baseCommit: 'a', commit: 'b', patch: 'p', files: ['x'], tokens: 5, costUsd: 0} as const

describe('the fleet store', () => {
  it('hands out the highest priority first and first come first served within one', () => {
    const db = store()
    const order = [['n1', 'normal'], ['l1', 'low'], ['h1', 'highest'], ['n2', 'normal'], ['h2', 'highest'], ['g1', 'high']] as const
    for (const [task, priority] of order) submit(db, task, priority)
    const claimed: string[] = []
    for (let claim = claimNextTask(db, 'w1'); claim; claim = claimNextTask(db, 'w1')) claimed.push(claim.task.task)
    expect(claimed).toEqual(['h1', 'h2', 'g1', 'n1', 'n2', 'l1'])
    expect(countByStatus(db)).toMatchObject({queued: 0, running: 6})
  })

  it('two handles on one file never claim the same task', () => {
    const path = join(tempDir('pyagent-fleet-'), 'fleet.db')
    const [a, b] = [openFleetStore(path), openFleetStore(path)]
    for (let index = 0; index < 20; index++) submit(a, `t${index}`)
    const seen = new Set<string>()
    for (let index = 0; index < 20; index++) {
      for (const [db, worker] of [[a, 'wa'], [b, 'wb']] as const) {
        const claim = claimNextTask(db, worker)
        if (claim) {
          expect(seen.has(claim.task.id)).toBe(false)
          seen.add(claim.task.id)
        }
      }
    }
    expect(seen.size).toBe(20)
  })

  it('fences a lapsed claim: the task is requeued, the old worker\'s beats, events and result change nothing', () => {
    const db = store()
    const {id} = submit(db, 'fix it')
    const first = claimNextTask(db, 'w1', 1_000)!
    expect(appendFleetEvent(db, {id, attempt: 1, worker: 'w1'}, {type: 'task_started'})).toBe(2)
    expect(recoverLapsedTasks(db, 5_000, 10_000)).toEqual([{id, attempt: 1, outcome: 'requeued'}])
    expect(getTask(db, id)).toMatchObject({status: 'queued', worker: null, attempts: 1})
    const second = claimNextTask(db, 'w2', 11_000)!
    expect(second.attempt).toBe(2)
    const stale = {id, attempt: first.attempt, worker: 'w1'}
    expect(heartbeat(db, stale).held).toBe(false)
    expect(appendFleetEvent(db, stale, {type: 'tool_call'})).toBeUndefined()
    expect(finishAttempt(db, stale, result)).toBe(false)
    expect(finishAttempt(db, {id, attempt: 2, worker: 'w2'}, result)).toBe(true)
    expect(getTask(db, id)).toMatchObject({status: 'done', commit: 'b', patch: 'p', files: ['x'], usage: {tokens: 5, costUsd: 0}})
    expect(eventsAfter(db, id, 0).map(({seq, attempt, event}) => [seq, attempt, event.type])).toEqual([
      [1, 1, 'attempt_started'],
      [2, 1, 'task_started'],
      [3, 1, 'attempt_lapsed'],
      [4, 2, 'attempt_started'],
      [5, 2, 'attempt_ended'],
    ])
  })

  it('marks a task interrupted once its attempts are spent, and cancelled when a cancel was asked', () => {
    const db = store()
    const {id} = submit(db, 'slow', 'normal', 1)
    claimNextTask(db, 'w1', 0)
    expect(recoverLapsedTasks(db, 1, 10)[0]!.outcome).toBe('interrupted')
    expect(getTask(db, id).error).toMatch(/stopped answering on each of 1 attempts; nothing of it was applied/)
    const other = submit(db, 'cancel me', 'normal', 3)
    claimNextTask(db, 'w1', 0)
    expect(requestCancel(db, other.id).cancelRequested).toBe(true)
    expect(recoverLapsedTasks(db, 1, 10)[0]!.outcome).toBe('cancelled')
  })

  it('cancels a queued task at once, and refuses to cancel a finished one with E_FLEET_TASK_STATE', () => {
    const db = store()
    const {id} = submit(db, 'later')
    expect(requestCancel(db, id).status).toBe('cancelled')
    expect(claimNextTask(db, 'w1')).toBeUndefined()
    expect(() => requestCancel(db, id)).toThrow(expect.objectContaining({code: 'E_FLEET_TASK_STATE'}))
    expect(() => getTask(db, '00000000-0000-4000-8000-000000000000')).toThrow(expect.objectContaining({code: 'E_FLEET_TASK_UNKNOWN'}))
  })

  it('lists by status and priority, newest first', () => {
    const db = store()
    submit(db, 'a', 'low')
    submit(db, 'b', 'high')
    submit(db, 'c', 'high')
    expect(listTasks(db, {priority: 'high', limit: 10}).map((task) => task.task)).toEqual(['c', 'b'])
    expect(listTasks(db, {status: 'running', limit: 10})).toEqual([])
  })

  it('takes --database as a path or a file: URL, and refuses other schemes with E_FLEET_REQUEST', () => {
    expect(fleetDatabasePath('file:/tmp/x.db')).toBe('/tmp/x.db')
    expect(fleetDatabasePath('file:///tmp/y.db')).toBe('/tmp/y.db')
    expect(fleetDatabasePath('/tmp/z.db')).toBe('/tmp/z.db')
    expect(fleetDatabasePath(undefined, {XDG_DATA_HOME: '/data'})).toBe('/data/pyagent/fleet.db')
    expect(() => fleetDatabasePath('mysql://db/fleet')).toThrow(expect.objectContaining({code: 'E_FLEET_REQUEST'}))
  })
})
