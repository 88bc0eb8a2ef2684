/** Typed queries over tasks: their lineage (parent, depth), status and outcome. */
import {randomUUID} from 'node:crypto'
import {z} from 'zod'

import type {StateDb} from './db.js'
import {startsWith, statement} from './statement.js'

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

/** A task with its lineage and outcome (migration 4). */
export interface LineageRow extends TaskRow {
  depth: number
  summary: string | null
  tx_id: string | null
  tokens: number
  cost_usd: number
}

export interface NewTask {
  title: string
  role: string
  priority?: TaskPriority
  parentId?: string
  status?: string
  /** Sub-tasks nest below their parent: the parent's depth + 1. */
  depth?: number
}

const insertTask = statement(
  `INSERT INTO tasks (id, parent_id, title, priority, role, status, created_at, updated_at, pid, depth)
   VALUES (@id, @parent_id, @title, @priority, @role, @status, @created_at, @updated_at, @pid, @depth)`,
)
const selectTask = statement('SELECT * FROM tasks WHERE id = ?')
const selectIdsByPrefix = statement("SELECT id FROM tasks WHERE id LIKE ? ESCAPE '\\'")
const selectChildren = statement('SELECT * FROM tasks WHERE parent_id = ? ORDER BY created_at, rowid')
const selectLineage = statement(
  `WITH RECURSIVE chain(id, hops) AS (
     SELECT ?, 0
     UNION ALL
     SELECT tasks.parent_id, chain.hops + 1 FROM tasks JOIN chain ON tasks.id = chain.id WHERE tasks.parent_id IS NOT NULL
   )
   SELECT tasks.* FROM chain JOIN tasks ON tasks.id = chain.id ORDER BY chain.hops`,
)
const updateStatus = statement('UPDATE tasks SET status = ?, updated_at = ? WHERE id = ?')
const updateOutcome = statement('UPDATE tasks SET status = ?, summary = ?, tx_id = ?, tokens = ?, cost_usd = ?, updated_at = ? WHERE id = ?')

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
  insertTask(db).run({...row, depth: task.depth ?? 0})
  return row
}

export function getTask(db: StateDb, id: string): TaskRow | undefined {
  return selectTask(db).get(id) as TaskRow | undefined
}

export function getLineageTask(db: StateDb, id: string): LineageRow | undefined {
  return selectTask(db).get(id) as LineageRow | undefined
}

/** Ids of the tasks whose id starts with `prefix`. */
export function taskIdsByPrefix(db: StateDb, prefix: string): string[] {
  return (selectIdsByPrefix(db).all(startsWith(prefix)) as {id: string}[]).map((row) => row.id)
}

export function childrenOf(db: StateDb, id: string): LineageRow[] {
  return selectChildren(db).all(id) as LineageRow[]
}

/** The task and its ancestors, nearest first. */
export function lineage(db: StateDb, id: string): LineageRow[] {
  return selectLineage(db).all(id) as LineageRow[]
}

export function setTaskStatus(db: StateDb, id: string, status: string): void {
  updateStatus(db).run(status, new Date().toISOString(), id)
}

export function finishTask(
  db: StateDb,
  id: string,
  outcome: {status: string; summary: string; txId?: string; tokens: number; costUsd: number},
): void {
  updateOutcome(db).run(outcome.status, outcome.summary, outcome.txId ?? null, outcome.tokens, outcome.costUsd, new Date().toISOString(), id)
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
