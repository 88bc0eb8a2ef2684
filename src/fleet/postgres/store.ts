/**
 * The fleet's state in PostgreSQL, with pg-boss as its queue. A task is a row (status, claim,
 * result) and, while it waits, a pg-boss job carrying its id with the task's priority, so pg-boss
 * hands out the highest priority first and the oldest first within one. The job stays active for
 * as long as an attempt runs: it is fetched and the row claimed in one transaction, completed in
 * the transaction that records the result, and on a lapse failed back into pg-boss's retry (which
 * keeps its place in line). Every write a worker makes is fenced by its claim, as in SQLite.
 */
import {randomUUID} from 'node:crypto'

import pg from 'pg'
import PgBoss from 'pg-boss'
import {z} from 'zod'

import {FleetTaskStateError, FleetTaskUnknownError} from '../errors.js'
import type {Fence, FleetChange, FleetStore, StoredEvent, WorkerFence} from '../fleet-store.js'
import {FLEET_STATUSES, type FleetStatus, type FleetTask, type FleetTaskDetail, type ListTasksQuery, PRIORITY_RANK, type SubmitTask} from '../schemas.js'
import {type AttemptResult, type Claim, type FleetTaskRow, type LapsedTask, listFilter, taskBranch, toDetail, toTask} from '../tasks.js'
import {databaseError, FleetDatabaseError} from './errors.js'
import type {FleetTaskTimes, StepTiming} from '../stats.js'
import {BOSS_SCHEMA, CHANGE_CHANNEL, FLEET_SCHEMA, POSTGRES_MIGRATIONS} from './migrations.js'
import {SELECT_LAST_EVENT_OF, SELECT_STEP_TIMINGS, SELECT_TASK_TIMES} from './stats.js'
import {checkPostgresUrl, redactDatabaseUrl, redactText} from './url.js'

const QUEUE = 'pyagent-fleet-tasks'
const T = `${FLEET_SCHEMA}.tasks`
const E = `${FLEET_SCHEMA}.events`

/** A job lives at most this long in pg-boss's active state (its ceiling); the fleet's own heartbeat decides lapses long before. */
const JOB_EXPIRE_HOURS = 23

const jobDataSchema = z.object({task: z.uuid()})
const changeSchema = z.object({task: z.string(), status: z.enum(FLEET_STATUSES).optional(), cancelRequested: z.boolean().optional(), seq: z.int().optional()})

type TaskRow = FleetTaskRow & {job_id: string | null; priority_rank: number}

const ms = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8 AS ${column}`
/** A task's columns in the shape SQLite's rows have (JSON as text, times in ms, the flag as 0/1), so one mapping serves both stores. */
const ROW = `id, seq::float8 AS seq, repository, base_ref, task, role, priority, priority_rank, approve, budgets::text AS budgets, status, attempts, max_attempts,
  worker, job_id, ${ms('heartbeat_at')}, cancel_requested::int AS cancel_requested, exit_code, summary, error, branch, base_commit, commit_sha, patch,
  files::text AS files, tokens::float8 AS tokens, cost_usd, ${ms('created_at')}, ${ms('started_at')}, ${ms('finished_at')}`

/** PostgreSQL text holds no NUL byte; one in a task's text or a model's summary is kept as U+FFFD rather than failing the write. */
const text = <T extends string | null>(value: T): T => (value === null ? value : (value.replaceAll('\0', '\uFFFD') as T))

type Queryable = pg.Pool | pg.PoolClient
const executor = (client: Queryable): PgBoss.Db => ({executeSql: (sql, values) => client.query(sql, values)})

const APPEND_EVENT = `
  WITH next AS (
    UPDATE ${T} SET last_event_seq = last_event_seq + 1
    WHERE id = $1 AND attempts = $2 AND ($3::text IS NULL OR (worker = $3 AND status = 'running'))
    RETURNING id, last_event_seq
  )
  INSERT INTO ${E} (task_id, seq, attempt, event) SELECT id, last_event_seq, $2, $4::json FROM next RETURNING seq`

export interface PostgresStoreOptions {
  /** Runs pg-boss's maintenance (archiving finished jobs): the server does, workers need not. */
  maintain: boolean
  /** How many connections this process may hold. */
  connections: number
}

export class PostgresFleetStore implements FleetStore {
  readonly location: string

  private constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
    private readonly boss: PgBoss,
  ) {
    this.location = redactDatabaseUrl(url)
  }

  /** Connects, brings the fleet's schema and pg-boss's up to date, and makes the queue; every failure is a FleetDatabaseError with the URL masked. */
  static async open(url: string, options: PostgresStoreOptions): Promise<PostgresFleetStore> {
    checkPostgresUrl(url)
    const pool = new pg.Pool({connectionString: url, max: options.connections, connectionTimeoutMillis: 10_000, application_name: 'pyagent-fleet'})
    // An idle connection the server dropped is replaced by the pool; the next query says what is wrong, if anything still is.
    pool.on('error', () => undefined)
    const boss = new PgBoss({db: executor(pool), schema: BOSS_SCHEMA, supervise: options.maintain, schedule: false, migrate: true})
    boss.on('error', (error) => process.stderr.write(`pyagent fleet: ${redactText(String((error as Error).message ?? error), url)}\n`))
    const store = new PostgresFleetStore(url, pool, boss)
    try {
      await store.migrate()
      await boss.start()
      await store.ensureQueue()
      return store
    } catch (error) {
      await boss.stop({graceful: false, close: false}).catch(() => undefined)
      await pool.end().catch(() => undefined)
      throw databaseError(error, url, 'opening the fleet\'s database')
    }
  }

  private async migrate(): Promise<void> {
    await this.transaction('bringing the fleet\'s schema up to date', async (client) => {
      // One process at a time: every server and worker starting at once runs this.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [FLEET_SCHEMA])
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${FLEET_SCHEMA}`)
      await client.query(`CREATE TABLE IF NOT EXISTS ${FLEET_SCHEMA}.migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
      const {rows} = await client.query<{version: number | null}>(`SELECT max(version) AS version FROM ${FLEET_SCHEMA}.migrations`)
      const current = rows[0]?.version ?? 0
      const known = POSTGRES_MIGRATIONS.at(-1)!.version
      if (current > known) {
        throw new FleetDatabaseError('E_FLEET_DATABASE', `The fleet's database at ${this.location} was written by a newer PyAgent (schema ${current}, this one knows ${known}); upgrade PyAgent on this machine.`)
      }
      for (const migration of POSTGRES_MIGRATIONS.filter((candidate) => candidate.version > current)) {
        await client.query(migration.sql)
        await client.query(`INSERT INTO ${FLEET_SCHEMA}.migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name])
      }
    })
  }

  private async ensureQueue(): Promise<void> {
    if (await this.boss.getQueue(QUEUE)) return
    try {
      await this.boss.createQueue(QUEUE, {name: QUEUE, policy: 'standard', expireInSeconds: JOB_EXPIRE_HOURS * 3600})
    } catch (error) {
      // Another process made it first.
      if (!(await this.boss.getQueue(QUEUE))) throw error
    }
  }

  private async transaction<R>(doing: string, work: (client: pg.PoolClient, db: PgBoss.Db) => Promise<R>): Promise<R> {
    let client: pg.PoolClient
    try {
      client = await this.pool.connect()
    } catch (error) {
      throw databaseError(error, this.url, doing)
    }
    try {
      await client.query('BEGIN')
      const result = await work(client, executor(client))
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw databaseError(error, this.url, doing)
    } finally {
      client.release()
    }
  }

  private async query<R extends pg.QueryResultRow>(doing: string, sql: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, values)
    } catch (error) {
      throw databaseError(error, this.url, doing)
    }
  }

  private async row(client: Queryable, id: string): Promise<TaskRow> {
    const {rows} = await client.query<TaskRow>(`SELECT ${ROW} FROM ${T} WHERE id = $1`, [id])
    if (!rows[0]) throw new FleetTaskUnknownError(id)
    return rows[0]
  }

  private async append(client: Queryable, fence: Fence, event: Record<string, unknown>): Promise<number | undefined> {
    const {rows} = await client.query<{seq: number}>(APPEND_EVENT, [fence.id, fence.attempt, fence.worker, JSON.stringify(event)])
    return rows[0]?.seq
  }

  private async sendJob(db: PgBoss.Db, id: string, rank: number): Promise<void> {
    await this.boss.send(QUEUE, {task: id}, {priority: rank, retryLimit: 1_000, expireInHours: JOB_EXPIRE_HOURS, db})
  }

  async submit(input: SubmitTask, maxAttempts: number): Promise<FleetTask> {
    const id = randomUUID()
    return this.transaction('queueing a task', async (client, db) => {
      const {rows} = await client.query<TaskRow>(
        `INSERT INTO ${T} (id, repository, base_ref, task, role, priority, priority_rank, approve, budgets, status, max_attempts, branch)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::json, 'queued', $10, $11) RETURNING ${ROW}`,
        [id, text(input.repository), text(input.branch ?? null), text(input.task), input.role, input.priority, PRIORITY_RANK[input.priority], input.approve, JSON.stringify(input.budgets), maxAttempts, taskBranch(id)],
      )
      await this.sendJob(db, id, PRIORITY_RANK[input.priority])
      return toTask(rows[0]!)
    })
  }

  async get(id: string): Promise<FleetTaskDetail> {
    try {
      return toDetail(await this.row(this.pool, id))
    } catch (error) {
      throw databaseError(error, this.url, 'reading a task')
    }
  }

  async list(query: ListTasksQuery): Promise<FleetTask[]> {
    const {where, values} = listFilter(query, (index) => `$${index}`)
    const sql = `SELECT ${ROW} FROM ${T} ${where} ORDER BY seq DESC LIMIT $${values.length + 1}`
    return (await this.query<TaskRow>('listing tasks', sql, [...values, query.limit])).rows.map(toTask)
  }

  /**
   * Fetches the next job and claims its task in one transaction: a worker that dies in between
   * leaves both as they were. A job whose task is no longer queued (cancelled while it waited, or
   * already claimed through another job) is retired and the next one fetched.
   */
  async claimNext(worker: string): Promise<Claim | undefined> {
    for (;;) {
      const outcome = await this.transaction('claiming a task', async (client, db): Promise<Claim | 'retired' | undefined> => {
        const [job] = await this.boss.fetch(QUEUE, {batchSize: 1, db})
        if (!job) return undefined
        const parsed = jobDataSchema.safeParse(job.data)
        const {rows} = parsed.success
          ? await client.query<TaskRow>(
              `UPDATE ${T} SET status = 'running', worker = $2, job_id = $3, attempts = attempts + 1, heartbeat_at = clock_timestamp(), started_at = COALESCE(started_at, clock_timestamp())
               WHERE id = $1 AND status = 'queued' RETURNING ${ROW}`,
              [parsed.data.task, worker, job.id],
            )
          : {rows: []}
        if (!rows[0]) {
          await this.boss.cancel(QUEUE, job.id, {db})
          return 'retired'
        }
        const attempt = rows[0].attempts
        await this.append(client, {id: rows[0].id, attempt, worker}, {type: 'attempt_started', attempt, worker})
        return {task: toDetail(rows[0]), attempt, worker}
      })
      if (outcome !== 'retired') return outcome
    }
  }

  async heartbeat(fence: WorkerFence): Promise<{held: boolean; cancelRequested: boolean}> {
    const {rows} = await this.query<{held: boolean; cancel_requested: boolean}>(
      'renewing a claim',
      `WITH beat AS (UPDATE ${T} SET heartbeat_at = clock_timestamp() WHERE id = $1 AND attempts = $2 AND worker = $3 AND status = 'running' RETURNING id)
       SELECT EXISTS (SELECT 1 FROM beat) AS held, cancel_requested FROM ${T} WHERE id = $1`,
      [fence.id, fence.attempt, fence.worker],
    )
    return {held: rows[0]?.held ?? false, cancelRequested: rows[0]?.cancel_requested ?? false}
  }

  async finishAttempt(fence: WorkerFence, result: AttemptResult): Promise<boolean> {
    return this.transaction('recording a task\'s result', async (client, db) => {
      const {rows} = await client.query<{job_id: string | null}>(
        `UPDATE ${T} SET status = $4, exit_code = $5, summary = $6, error = $7, base_commit = $8, commit_sha = $9, patch = $10, files = $11::json,
           tokens = $12, cost_usd = $13, finished_at = clock_timestamp(), heartbeat_at = NULL
         WHERE id = $1 AND attempts = $2 AND worker = $3 AND status = 'running' RETURNING job_id`,
        [fence.id, fence.attempt, fence.worker, result.status, result.exitCode, text(result.summary), text(result.error), result.baseCommit, result.commit, result.patch, JSON.stringify(result.files), result.tokens, result.costUsd],
      )
      if (!rows[0]) return false
      if (rows[0].job_id) await this.boss.complete(QUEUE, rows[0].job_id, {db})
      await this.append(client, {id: fence.id, attempt: fence.attempt, worker: null}, {type: 'attempt_ended', attempt: fence.attempt, status: result.status})
      return true
    })
  }

  async requestCancel(id: string): Promise<FleetTask> {
    return this.transaction('cancelling a task', async (client) => {
      const queued = await client.query<TaskRow>(
        `UPDATE ${T} SET status = 'cancelled', cancel_requested = true, finished_at = clock_timestamp() WHERE id = $1 AND status = 'queued' RETURNING ${ROW}`,
        [id],
      )
      if (queued.rows[0]) {
        // Its job, if a worker fetches it before it is archived, names a task no longer queued and is retired.
        return toTask(queued.rows[0])
      }
      const running = await client.query<TaskRow>(`UPDATE ${T} SET cancel_requested = true WHERE id = $1 AND status = 'running' RETURNING ${ROW}`, [id])
      if (running.rows[0]) return toTask(running.rows[0])
      const task = await this.row(client, id)
      throw new FleetTaskStateError(`Task ${id} is ${task.status}: only a queued or running task can be cancelled.`)
    })
  }

  /**
   * Any process may sweep (the server, every worker host): rows being swept are locked and
   * skipped by the others, and every change is conditioned on the attempt it saw.
   */
  async recoverLapsed(lapseMs: number): Promise<LapsedTask[]> {
    return this.transaction('retrying tasks whose worker stopped', async (client, db) => {
      const {rows} = await client.query<TaskRow>(
        `SELECT ${ROW} FROM ${T} WHERE status = 'running' AND heartbeat_at < clock_timestamp() - make_interval(secs => $1::double precision / 1000) FOR UPDATE SKIP LOCKED`,
        [lapseMs],
      )
      const lapsed: LapsedTask[] = []
      for (const task of rows) {
        await this.append(client, {id: task.id, attempt: task.attempts, worker: null}, {type: 'attempt_lapsed', attempt: task.attempts, worker: task.worker})
        const outcome: LapsedTask['outcome'] = task.cancel_requested === 1 ? 'cancelled' : task.attempts < task.max_attempts ? 'requeued' : 'interrupted'
        if (outcome === 'requeued') {
          await client.query(`UPDATE ${T} SET status = 'queued', worker = NULL, heartbeat_at = NULL WHERE id = $1 AND attempts = $2`, [task.id, task.attempts])
          await this.requeueJob(db, task)
        } else {
          const error = outcome === 'cancelled' ? null : `Its worker stopped answering on each of ${task.attempts} attempts; nothing of it was applied. Submit it again, perhaps with a smaller budget.`
          await client.query(`UPDATE ${T} SET status = $3, error = $4, worker = NULL, heartbeat_at = NULL, finished_at = clock_timestamp() WHERE id = $1 AND attempts = $2`, [
            task.id,
            task.attempts,
            outcome,
            error,
          ])
          if (task.job_id) await this.boss.cancel(QUEUE, task.job_id, {db})
        }
        lapsed.push({id: task.id, attempt: task.attempts, outcome})
      }
      return lapsed
    })
  }

  /** The lapsed attempt's job goes back through pg-boss's retry, keeping its place in line; a job pg-boss no longer holds (archived, expired past its retries) is replaced. */
  private async requeueJob(db: PgBoss.Db, task: TaskRow): Promise<void> {
    if (task.job_id) {
      await this.boss.fail(QUEUE, task.job_id, {db})
      const job = await this.boss.getJobById(QUEUE, task.job_id, {db, includeArchive: false})
      if (job && (job.state === 'retry' || job.state === 'created')) return
    }
    await this.sendJob(db, task.id, task.priority_rank)
  }

  async countByStatus(): Promise<Record<FleetStatus, number>> {
    const counts = {queued: 0, running: 0, done: 0, failed: 0, cancelled: 0, interrupted: 0}
    const {rows} = await this.query<{status: FleetStatus; count: number}>('counting tasks', `SELECT status, count(*)::integer AS count FROM ${T} GROUP BY status`)
    for (const {status, count} of rows) counts[status] = count
    return counts
  }

  async appendEvent(fence: Fence, event: Record<string, unknown>): Promise<number | undefined> {
    try {
      return await this.append(this.pool, fence, event)
    } catch (error) {
      throw databaseError(error, this.url, 'recording an event')
    }
  }

  async eventsAfter(id: string, afterSeq: number, limit = 500): Promise<StoredEvent[]> {
    const {rows} = await this.query<StoredEvent>('reading events', `SELECT seq, attempt, event FROM ${E} WHERE task_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [id, afterSeq, limit])
    return rows
  }

  async lastEventOf(id: string, types: readonly string[]): Promise<Record<string, unknown> | undefined> {
    const {rows} = await this.query<{event: Record<string, unknown>}>('reading an event', SELECT_LAST_EVENT_OF, [id, types])
    return rows[0]?.event
  }

  async taskTimes(sinceMs: number): Promise<FleetTaskTimes[]> {
    return (await this.query<FleetTaskTimes>('reading the tasks\' figures', SELECT_TASK_TIMES, [sinceMs])).rows
  }

  async stepTimings(sinceMs: number): Promise<StepTiming[]> {
    return (await this.query<StepTiming>('reading the steps\' timings', SELECT_STEP_TIMINGS, [sinceMs])).rows
  }

  /** LISTENs on its own connection, reconnecting after a second when it drops (the readers poll meanwhile, so nothing is missed, only later). */
  async watch(listener: (change: FleetChange) => void): Promise<() => Promise<void>> {
    let stopped = false
    let client: pg.Client | undefined
    let retry: NodeJS.Timeout | undefined
    const reconnect = () => {
      retry = setTimeout(() => void connect().catch(reconnect), 1_000)
    }
    const connect = async (): Promise<void> => {
      if (stopped) return
      const next = new pg.Client({connectionString: this.url, connectionTimeoutMillis: 10_000, application_name: 'pyagent-fleet-listen'})
      next.on('notification', (message) => {
        if (message.channel !== CHANGE_CHANNEL || !message.payload) return
        let payload: unknown
        try {
          payload = JSON.parse(message.payload)
        } catch {
          return
        }
        const change = changeSchema.safeParse(payload)
        if (change.success) listener(change.data)
      })
      next.on('error', () => undefined)
      next.on('end', () => {
        if (stopped || client !== next) return
        client = undefined
        reconnect()
      })
      try {
        await next.connect()
        await next.query(`LISTEN ${CHANGE_CHANNEL}`)
      } catch (error) {
        await next.end().catch(() => undefined)
        throw databaseError(error, this.url, 'listening for the fleet\'s changes')
      }
      client = next
    }
    await connect()
    return async () => {
      stopped = true
      clearTimeout(retry)
      await client?.end().catch(() => undefined)
    }
  }

  async close(): Promise<void> {
    await this.boss.stop({graceful: false, close: false, wait: true}).catch(() => undefined)
    await this.pool.end()
  }
}
