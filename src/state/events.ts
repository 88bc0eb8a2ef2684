/** Typed queries over each task's append-only event log. */
import type {StateDb} from './db.js'
import {statement} from './statement.js'

export interface EventRow {
  task_id: string
  seq: number
  type: string
  payload: unknown
  created_at: string
}

const selectNextSeq = statement('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM events WHERE task_id = ?')
const insertEvent = statement('INSERT INTO events (task_id, seq, type, payload, created_at) VALUES (?, ?, ?, ?, ?)')
const selectEvents = statement('SELECT * FROM events WHERE task_id = ? ORDER BY seq')

/** Appends an event with the task's next sequence number; the read and the insert are one transaction. */
export function appendEvent(db: StateDb, taskId: string, type: string, payload: unknown): number {
  return db
    .transaction(() => {
      const {next} = selectNextSeq(db).get(taskId) as {next: number}
      insertEvent(db).run(taskId, next, type, JSON.stringify(payload), new Date().toISOString())
      return next
    })
    .immediate()
}

export function listEvents(db: StateDb, taskId: string): EventRow[] {
  const rows = selectEvents(db).all(taskId) as (Omit<EventRow, 'payload'> & {payload: string})[]
  return rows.map((row) => ({...row, payload: JSON.parse(row.payload)}))
}
