/** Typed queries over tasks and their append-only event log. */
import {randomUUID} from 'node:crypto'
import {z} from 'zod'

import type {StateDb} from './db.js'

export const taskPrioritySchema = z.enum(['low', 'normal', 'high', 'highest'])
export type TaskPriority = z.infer<typeof taskPrioritySchema>

export interface TaskRow {
  id: string
  parent_id: string | null
  title: string
  priority: TaskPriority
  role: string
  status: string
  created_at: string
  updated_at: string
  /** The process running the task; null on rows written before migration 5. */
  pid: number | null
}

export interface NewTask {
  title: string
  role: string
  priority?: TaskPriority
  parentId?: string
  status?: string
}

export function createTask(db: StateDb, task: NewTask): TaskRow {
  const now = new Date().toISOString()
  const row: TaskRow = {
    id: randomUUID(),
    parent_id: task.parentId ?? null,
    title: task.title,
    priority: task.priority ?? 'normal',
    role: task.role,
    status: task.status ?? 'pending',
    created_at: now,
    updated_at: now,
    pid: process.pid,
  }
  db.prepare(
    `INSERT INTO tasks (id, parent_id, title, priority, role, status, created_at, updated_at, pid)
     VALUES (@id, @parent_id, @title, @priority, @role, @status, @created_at, @updated_at, @pid)`,
  ).run(row)
  return row
}

export function getTask(db: StateDb, id: string): TaskRow | undefined {
  return db.prepare('SELECT * FROM tasks WHERE id = ?').get(id) as TaskRow | undefined
}

export function setTaskStatus(db: StateDb, id: string, status: string): void {
  db.prepare('UPDATE tasks SET status = ?, updated_at = ? WHERE id = ?').run(status, new Date().toISOString(), id)
}

/** Statuses of a task that has not ended: a task left in one by a dead process never will. */
const UNFINISHED = ['pending', 'running']

/**
 * Marks `interrupted` every unfinished task whose process is gone (SIGKILL, a power cut, a
 * crash), so history tells the truth; returns their ids. Rows from before migration 5 have no
 * pid: an unfinished one is older than this PyAgent, so its process is gone too.
 */
export function interruptDeadTasks(db: StateDb, isAlive: (pid: number) => boolean): string[] {
  const placeholders = UNFINISHED.map(() => '?').join(', ')
  const candidates = db.prepare(`SELECT id, pid FROM tasks WHERE status IN (${placeholders})`).all(...UNFINISHED) as {id: string; pid: number | null}[]
  const dead = candidates.filter((task) => task.pid === null || !isAlive(task.pid))
  if (dead.length === 0) return []
  const mark = db.prepare(
    `UPDATE tasks SET status = 'interrupted', updated_at = ?,
       summary = COALESCE(summary, 'interrupted: the process running it ended without finishing it; see \`pyagent history\` for what its transactions left')
     WHERE id = ? AND status IN (${placeholders})`,
  )
  const now = new Date().toISOString()
  return db.transaction(() => dead.filter((task) => mark.run(now, task.id, ...UNFINISHED).changes === 1).map((task) => task.id)).immediate()
}

export interface EventRow {
  task_id: string
  seq: number
  type: string
  payload: unknown
  created_at: string
}

/** Appends an event with the task's next sequence number; the read and the insert are one transaction. */
export function appendEvent(db: StateDb, taskId: string, type: string, payload: unknown): number {
  return db
    .transaction(() => {
      const {next} = db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM events WHERE task_id = ?').get(taskId) as {
        next: number
      }
      db.prepare('INSERT INTO events (task_id, seq, type, payload, created_at) VALUES (?, ?, ?, ?, ?)').run(
        taskId,
        next,
        type,
        JSON.stringify(payload),
        new Date().toISOString(),
      )
      return next
    })
    .immediate()
}

export function listEvents(db: StateDb, taskId: string): EventRow[] {
  const rows = db.prepare('SELECT * FROM events WHERE task_id = ? ORDER BY seq').all(taskId) as (Omit<EventRow, 'payload'> & {
    payload: string
  })[]
  return rows.map((row) => ({...row, payload: JSON.parse(row.payload)}))
}
