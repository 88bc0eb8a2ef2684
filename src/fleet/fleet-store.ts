/**
 * The one seam between the fleet's server and workers and where its state is kept: the embedded
 * SQLite file (sqlite-store.ts) or PostgreSQL with pg-boss as the queue (postgres/store.ts). Both
 * keep the same promises: the highest priority is claimed first and first come first served
 * within one, every write a worker makes is fenced by its claim (task, attempt, worker), a lapsed
 * claim is retried or marked interrupted, and every event is numbered in its task's log.
 */
import type {FleetStatus, FleetTask, FleetTaskDetail, ListTasksQuery, SubmitTask} from './schemas.js'
import type {FleetTaskTimes, StepTiming} from './stats.js'
import type {AttemptResult, Claim, LapsedTask} from './tasks.js'

/** Who may write to a task: the worker holding this attempt, or (worker null) the server itself, whose writes need only the attempt to match. */
export interface Fence {
  id: string
  attempt: number
  worker: string | null
}

/** A worker's claim, as its writes name it. */
export type WorkerFence = Fence & {worker: string}

export interface StoredEvent {
  seq: number
  attempt: number
  event: Record<string, unknown>
}

/** What another process changed: a task's status or cancel flag, or an event appended to its log. */
export interface FleetChange {
  task: string
  status?: FleetStatus
  cancelRequested?: boolean
  seq?: number
}

export interface FleetStore {
  /** Where the state is kept, fit to print: a path, or a URL with its password masked. */
  readonly location: string
  submit(input: SubmitTask, maxAttempts: number): Promise<FleetTask>
  get(id: string): Promise<FleetTaskDetail>
  list(query: ListTasksQuery): Promise<FleetTask[]>
  /** The next task for `worker`, claimed; undefined when the queue is empty. */
  claimNext(worker: string): Promise<Claim | undefined>
  /** Renews the claim; `held: false` means the task was handed on (or finished) and the worker must stop. */
  heartbeat(fence: WorkerFence): Promise<{held: boolean; cancelRequested: boolean}>
  /** Records an attempt's end; false when the claim had already lapsed, and nothing was recorded. */
  finishAttempt(fence: WorkerFence, result: AttemptResult): Promise<boolean>
  /** A queued task is cancelled at once; a running one is marked, and its worker aborts the run. */
  requestCancel(id: string): Promise<FleetTask>
  /** Tasks whose worker stopped beating for `lapseMs`: requeued while attempts are left, then interrupted (or cancelled, when asked). */
  recoverLapsed(lapseMs: number): Promise<LapsedTask[]>
  countByStatus(): Promise<Record<FleetStatus, number>>
  /** Appends an event under the task's next number; undefined when the fence no longer holds. */
  appendEvent(fence: Fence, event: Record<string, unknown>): Promise<number | undefined>
  eventsAfter(id: string, afterSeq: number, limit?: number): Promise<StoredEvent[]>
  /** The task's newest event whose type is one of `types`; undefined when it has none. */
  lastEventOf(id: string, types: readonly string[]): Promise<Record<string, unknown> | undefined>
  /** What the dashboard charts (stats.ts): every task alive after `sinceMs`, with the figures of its last attempt. */
  taskTimes(sinceMs: number): Promise<FleetTaskTimes[]>
  /** How long each step that started after `sinceMs` took. */
  stepTimings(sinceMs: number): Promise<StepTiming[]>
  /**
   * Tells `listener` of every change any process makes, until the returned function is called.
   * PostgreSQL only (LISTEN/NOTIFY): SQLite's workers are children of the server and tell it over IPC.
   */
  watch?(listener: (change: FleetChange) => void): Promise<() => Promise<void>>
  close(): Promise<void>
}
