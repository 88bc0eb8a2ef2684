/**
 * The fleet's queue and its tasks' records. Every write a worker makes is fenced by its claim
 * (the task id, the attempt number and the worker): once a task's heartbeat has lapsed and it was
 * handed to another worker, the first one's writes change nothing, so a task never runs twice at
 * once as far as its record is concerned.
 */
import {randomUUID} from 'node:crypto'

import {statement} from '../state/statement.js'
import {FleetTaskStateError, FleetTaskUnknownError} from './errors.js'
import {
  type Budgets,
  type FleetStatus,
  type FleetTask,
  type FleetTaskDetail,
  type ListTasksQuery,
  PRIORITY_RANK,
  type SubmitTask,
} from './schemas.js'
import type {FleetDb} from './store.js'

/** A task as the store reads it: SQLite's row, and PostgreSQL's selected into the same shape. */
export interface FleetTaskRow {
  id: string
  seq: number
  repository: string
  base_ref: string | null
  task: string
  role: FleetTask['role']
  priority: keyof typeof PRIORITY_RANK
  approve: FleetTask['approve']
  budgets: string
  status: FleetStatus
  attempts: number
  max_attempts: number
  worker: string | null
  heartbeat_at: number | null
  cancel_requested: number
  exit_code: number | null
  summary: string | null
  error: string | null
  branch: string | null
  base_commit: string | null
  commit_sha: string | null
  patch: string | null
  files: string
  tokens: number
  cost_usd: number
  created_at: number
  started_at: number | null
  finished_at: number | null
}

/** What a worker holds while it runs a task: the task and which attempt this is. */
export interface Claim {
  task: FleetTaskDetail
  attempt: number
  worker: string
}

export interface AttemptResult {
  status: Extract<FleetStatus, 'done' | 'failed' | 'cancelled'>
  exitCode: number | null
  summary: string | null
  error: string | null
  baseCommit: string | null
  commit: string | null
  patch: string | null
  files: string[]
  tokens: number
  costUsd: number
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

export function toTask(row: FleetTaskRow): FleetTask {
  return {
    id: row.id,
    repository: row.repository,
    task: row.task,
    role: row.role,
    priority: row.priority,
    approve: row.approve,
    budgets: JSON.parse(row.budgets) as Budgets,
    baseRef: row.base_ref,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    worker: row.worker,
    cancelRequested: row.cancel_requested === 1,
    exitCode: row.exit_code,
    summary: row.summary,
    error: row.error,
    branch: row.branch,
    baseCommit: row.base_commit,
    commit: row.commit_sha,
    files: JSON.parse(row.files) as string[],
    usage: {tokens: row.tokens, costUsd: row.cost_usd},
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  }
}

export const toDetail = (row: FleetTaskRow): FleetTaskDetail => ({...toTask(row), patch: row.patch})

/** The branch a task's result is committed on. */
export const taskBranch = (id: string) => `pyagent/${id}`

const insertTask = statement(
  `INSERT INTO fleet_tasks (id, seq, repository, base_ref, task, role, priority, priority_rank, approve, budgets, status, max_attempts, branch, created_at)
   VALUES (@id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM fleet_tasks), @repository, @base_ref, @task, @role, @priority, @priority_rank, @approve, @budgets, 'queued', @max_attempts, @branch, @created_at)`,
)
const selectTask = statement('SELECT * FROM fleet_tasks WHERE id = ?')
const selectNextQueued = statement("SELECT * FROM fleet_tasks WHERE status = 'queued' ORDER BY priority_rank DESC, seq LIMIT 1")
const claimTask = statement(
  "UPDATE fleet_tasks SET status = 'running', worker = ?, attempts = attempts + 1, heartbeat_at = ?, started_at = COALESCE(started_at, ?) WHERE id = ? AND status = 'queued'",
)
const beat = statement("UPDATE fleet_tasks SET heartbeat_at = ? WHERE id = ? AND attempts = ? AND worker = ? AND status = 'running'")
const selectCancel = statement('SELECT cancel_requested FROM fleet_tasks WHERE id = ?')
const finishAttemptStatement = statement(
  `UPDATE fleet_tasks SET status = @status, exit_code = @exit_code, summary = @summary, error = @error, base_commit = @base_commit, commit_sha = @commit_sha,
     patch = @patch, files = @files, tokens = @tokens, cost_usd = @cost_usd, finished_at = @finished_at, heartbeat_at = NULL
   WHERE id = @id AND attempts = @attempt AND worker = @worker AND status = 'running'`,
)
const cancelQueued = statement("UPDATE fleet_tasks SET status = 'cancelled', cancel_requested = 1, finished_at = ? WHERE id = ? AND status = 'queued'")
const cancelRunning = statement("UPDATE fleet_tasks SET cancel_requested = 1 WHERE id = ? AND status = 'running'")
const selectLapsed = statement("SELECT * FROM fleet_tasks WHERE status = 'running' AND heartbeat_at < ?")
const requeue = statement("UPDATE fleet_tasks SET status = 'queued', worker = NULL, heartbeat_at = NULL WHERE id = ? AND attempts = ? AND status = 'running'")
const giveUp = statement("UPDATE fleet_tasks SET status = ?, error = ?, worker = NULL, heartbeat_at = NULL, finished_at = ? WHERE id = ? AND attempts = ? AND status = 'running'")
const countStatuses = statement('SELECT status, COUNT(*) AS count FROM fleet_tasks GROUP BY status')
const insertEvent = statement(
  `INSERT INTO fleet_events (task_id, seq, attempt, event, recorded_at)
   SELECT @id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM fleet_events WHERE task_id = @id), @attempt, @event, @recorded_at
   WHERE EXISTS (SELECT 1 FROM fleet_tasks WHERE id = @id AND attempts = @attempt AND (@worker IS NULL OR (worker = @worker AND status = 'running')))`,
)
const selectLastEventSeq = statement('SELECT MAX(seq) AS seq FROM fleet_events WHERE task_id = ?')
const selectEventsAfter = statement('SELECT seq, attempt, event FROM fleet_events WHERE task_id = ? AND seq > ? ORDER BY seq LIMIT ?')
const selectLastEventOf = statement('SELECT event FROM fleet_events WHERE task_id = ? AND type IN (SELECT value FROM json_each(?)) ORDER BY seq DESC LIMIT 1')

export function submitTask(db: FleetDb, input: SubmitTask, maxAttempts: number, now = Date.now()): FleetTask {
  const id = randomUUID()
  insertTask(db).run({
    id,
    repository: input.repository,
    base_ref: input.branch ?? null,
    task: input.task,
    role: input.role,
    priority: input.priority,
    priority_rank: PRIORITY_RANK[input.priority],
    approve: input.approve,
    budgets: JSON.stringify(input.budgets),
    max_attempts: maxAttempts,
    branch: taskBranch(id),
    created_at: now,
  })
  return toTask(selectTask(db).get(id) as FleetTaskRow)
}

function row(db: FleetDb, id: string): FleetTaskRow {
  const found = selectTask(db).get(id) as FleetTaskRow | undefined
  if (!found) throw new FleetTaskUnknownError(id)
  return found
}

export const getTask = (db: FleetDb, id: string): FleetTaskDetail => toDetail(row(db, id))

/** The WHERE clause (empty without filters) and its values for a task list; `placeholder` writes the n-th parameter as the database spells it. */
export function listFilter(query: ListTasksQuery, placeholder: (index: number) => string): {where: string; values: string[]} {
  const clauses: string[] = []
  const values: string[] = []
  for (const [column, value] of [
    ['status', query.status],
    ['priority', query.priority],
    ['repository', query.repository],
  ] as const) {
    if (value !== undefined) {
      values.push(value)
      clauses.push(`${column} = ${placeholder(values.length)}`)
    }
  }
  return {where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', values}
}

export function listTasks(db: FleetDb, query: ListTasksQuery): FleetTask[] {
  const {where, values} = listFilter(query, () => '?')
  return (db.prepare(`SELECT * FROM fleet_tasks ${where} ORDER BY seq DESC LIMIT ?`).all(...values, query.limit) as FleetTaskRow[]).map(toTask)
}

/**
 * Hands the next task to `worker`: the highest priority first, first come first served within
 * one. BEGIN IMMEDIATE takes the write lock before reading, so two workers never claim the same task.
 */
export function claimNextTask(db: FleetDb, worker: string, now = Date.now()): Claim | undefined {
  return db
    .transaction((): Claim | undefined => {
      const next = selectNextQueued(db).get() as FleetTaskRow | undefined
      if (!next) return undefined
      claimTask(db).run(worker, now, now, next.id)
      const attempt = next.attempts + 1
      appendFleetEvent(db, {id: next.id, attempt, worker}, {type: 'attempt_started', attempt, worker}, now)
      return {task: getTask(db, next.id), attempt, worker}
    })
    .immediate()
}

/** Renews the claim; `held: false` means the task was handed on (or finished) and the worker must stop. */
export function heartbeat(db: FleetDb, claim: Omit<Claim, 'task'> & {id: string}, now = Date.now()): {held: boolean; cancelRequested: boolean} {
  const held = beat(db).run(now, claim.id, claim.attempt, claim.worker).changes === 1
  const cancel = selectCancel(db).get(claim.id) as {cancel_requested: number} | undefined
  return {held, cancelRequested: cancel?.cancel_requested === 1}
}

/** Records an attempt's end; false when the claim had already lapsed, and nothing was recorded. */
export function finishAttempt(db: FleetDb, claim: Omit<Claim, 'task'> & {id: string}, result: AttemptResult, now = Date.now()): boolean {
  return db
    .transaction(() => {
      const changed = finishAttemptStatement(db).run({
        id: claim.id,
        attempt: claim.attempt,
        worker: claim.worker,
        status: result.status,
        exit_code: result.exitCode,
        summary: result.summary,
        error: result.error,
        base_commit: result.baseCommit,
        commit_sha: result.commit,
        patch: result.patch,
        files: JSON.stringify(result.files),
        tokens: result.tokens,
        cost_usd: result.costUsd,
        finished_at: now,
      }).changes
      if (changed === 1) appendFleetEvent(db, {id: claim.id, attempt: claim.attempt, worker: null}, {type: 'attempt_ended', attempt: claim.attempt, status: result.status}, now)
      return changed === 1
    })
    .immediate()
}

/** A queued task is cancelled at once; a running one is marked, and its worker aborts the run. */
export function requestCancel(db: FleetDb, id: string, now = Date.now()): FleetTask {
  const task = row(db, id)
  if (cancelQueued(db).run(now, id).changes === 0 && cancelRunning(db).run(id).changes === 0) {
    throw new FleetTaskStateError(`Task ${id} is ${task.status}: only a queued or running task can be cancelled.`)
  }
  return toTask(row(db, id))
}

export interface LapsedTask {
  id: string
  attempt: number
  outcome: 'requeued' | 'interrupted' | 'cancelled'
}

/**
 * Tasks whose worker stopped beating (killed, hung): each goes back to the queue for a fresh
 * attempt while it has attempts left, and is marked interrupted after that (cancelled, when a
 * cancel was asked for). Never lost, and never left running.
 */
export function recoverLapsedTasks(db: FleetDb, lapseMs: number, now = Date.now()): LapsedTask[] {
  return db
    .transaction(() => {
      const lapsed = selectLapsed(db).all(now - lapseMs) as FleetTaskRow[]
      return lapsed.map((task): LapsedTask => {
        const claim = {id: task.id, attempt: task.attempts, worker: null}
        appendFleetEvent(db, claim, {type: 'attempt_lapsed', attempt: task.attempts, worker: task.worker}, now)
        if (task.cancel_requested === 1) {
          giveUp(db).run('cancelled', null, now, task.id, task.attempts)
          return {id: task.id, attempt: task.attempts, outcome: 'cancelled'}
        }
        if (task.attempts < task.max_attempts) {
          requeue(db).run(task.id, task.attempts)
          return {id: task.id, attempt: task.attempts, outcome: 'requeued'}
        }
        const error = `Its worker stopped answering on each of ${task.attempts} attempts; nothing of it was applied. Submit it again, perhaps with a smaller budget.`
        giveUp(db).run('interrupted', error, now, task.id, task.attempts)
        return {id: task.id, attempt: task.attempts, outcome: 'interrupted'}
      })
    })
    .immediate()
}

export function countByStatus(db: FleetDb): Record<FleetStatus, number> {
  const counts = {queued: 0, running: 0, done: 0, failed: 0, cancelled: 0, interrupted: 0}
  for (const {status, count} of countStatuses(db).all() as {status: FleetStatus; count: number}[]) counts[status] = count
  return counts
}

/**
 * Appends one event to the task's log under the next number; undefined when the claim no longer
 * holds (`worker: null` is the server itself, whose events need only the attempt to match).
 */
export function appendFleetEvent(db: FleetDb, claim: {id: string; attempt: number; worker: string | null}, event: Record<string, unknown>, now = Date.now()): number | undefined {
  const inserted = insertEvent(db).run({id: claim.id, attempt: claim.attempt, worker: claim.worker, event: JSON.stringify(event), recorded_at: now})
  if (inserted.changes === 0) return undefined
  return (selectLastEventSeq(db).get(claim.id) as {seq: number}).seq
}

export function eventsAfter(db: FleetDb, id: string, afterSeq: number, limit = 500): {seq: number; attempt: number; event: Record<string, unknown>}[] {
  return (selectEventsAfter(db).all(id, afterSeq, limit) as {seq: number; attempt: number; event: string}[]).map((found) => ({
    seq: found.seq,
    attempt: found.attempt,
    event: JSON.parse(found.event) as Record<string, unknown>,
  }))
}

export function lastEventOf(db: FleetDb, id: string, types: readonly string[]): Record<string, unknown> | undefined {
  const found = selectLastEventOf(db).get(id, JSON.stringify(types)) as {event: string} | undefined
  return found ? (JSON.parse(found.event) as Record<string, unknown>) : undefined
}
