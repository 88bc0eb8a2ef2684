/** The embedded fleet store: one SQLite file (tasks.ts holds its queries) behind the FleetStore seam. */
import type {Fence, FleetStore, WorkerFence} from './fleet-store.js'
import type {ListTasksQuery, SubmitTask} from './schemas.js'
import {fleetStepTimings, fleetTaskTimes} from './stats.js'
import {type FleetDb, openFleetStore} from './store.js'
import {
  type AttemptResult,
  appendFleetEvent,
  claimNextTask,
  countByStatus,
  eventsAfter,
  finishAttempt,
  getTask,
  heartbeat,
  lastEventOf,
  listTasks,
  recoverLapsedTasks,
  requestCancel,
  submitTask,
} from './tasks.js'

export class SqliteFleetStore implements FleetStore {
  private constructor(
    private readonly db: FleetDb,
    readonly location: string,
  ) {}

  static open(path: string): SqliteFleetStore {
    return new SqliteFleetStore(openFleetStore(path), path)
  }

  async submit(input: SubmitTask, maxAttempts: number) {
    return submitTask(this.db, input, maxAttempts)
  }

  async get(id: string) {
    return getTask(this.db, id)
  }

  async list(query: ListTasksQuery) {
    return listTasks(this.db, query)
  }

  async claimNext(worker: string) {
    return claimNextTask(this.db, worker)
  }

  async heartbeat(fence: WorkerFence) {
    return heartbeat(this.db, fence)
  }

  async finishAttempt(fence: WorkerFence, result: AttemptResult) {
    return finishAttempt(this.db, fence, result)
  }

  async requestCancel(id: string) {
    return requestCancel(this.db, id)
  }

  async recoverLapsed(lapseMs: number) {
    return recoverLapsedTasks(this.db, lapseMs)
  }

  async countByStatus() {
    return countByStatus(this.db)
  }

  async appendEvent(fence: Fence, event: Record<string, unknown>) {
    return appendFleetEvent(this.db, fence, event)
  }

  async eventsAfter(id: string, afterSeq: number, limit?: number) {
    return eventsAfter(this.db, id, afterSeq, limit)
  }

  async lastEventOf(id: string, types: readonly string[]) {
    return lastEventOf(this.db, id, types)
  }

  async taskTimes(sinceMs: number) {
    return fleetTaskTimes(this.db, sinceMs)
  }

  async stepTimings(sinceMs: number) {
    return fleetStepTimings(this.db, sinceMs)
  }

  async close() {
    this.db.close()
  }
}
