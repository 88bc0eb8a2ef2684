/**
 * Task lineage: sub-tasks are child rows (parent, depth) of the task that planned them.
 * A sub-task that repeats one of its ancestors would plan itself again forever, so it is refused.
 */
import type {StateDb} from '../state/db.js'
import {createTask, type TaskPriority, type TaskRow} from '../state/tasks.js'

export interface LineageRow extends TaskRow {
  depth: number
  summary: string | null
  tx_id: string | null
  tokens: number
  cost_usd: number
}

export function startTask(
  db: StateDb,
  task: {title: string; role: string; priority: TaskPriority; parent?: LineageRow; status?: string},
): LineageRow {
  const row = createTask(db, {title: task.title, role: task.role, priority: task.priority, parentId: task.parent?.id, status: task.status ?? 'running'})
  const depth = task.parent ? task.parent.depth + 1 : 0
  db.prepare('UPDATE tasks SET depth = ? WHERE id = ?').run(depth, row.id)
  return {...row, depth, summary: null, tx_id: null, tokens: 0, cost_usd: 0}
}

export function finishTask(
  db: StateDb,
  id: string,
  outcome: {status: string; summary: string; txId?: string; tokens: number; costUsd: number},
): void {
  db.prepare('UPDATE tasks SET status = ?, summary = ?, tx_id = ?, tokens = ?, cost_usd = ?, updated_at = ? WHERE id = ?').run(
    outcome.status,
    outcome.summary,
    outcome.txId ?? null,
    outcome.tokens,
    outcome.costUsd,
    new Date().toISOString(),
    id,
  )
}

export function getLineageTask(db: StateDb, id: string): LineageRow | undefined {
  return db.prepare('SELECT * FROM tasks WHERE id = ?').get(id) as LineageRow | undefined
}

export function childrenOf(db: StateDb, id: string): LineageRow[] {
  return db.prepare('SELECT * FROM tasks WHERE parent_id = ? ORDER BY created_at, rowid').all(id) as LineageRow[]
}

/** The task and its ancestors, nearest first. */
export function lineage(db: StateDb, id: string): LineageRow[] {
  return db
    .prepare(
      `WITH RECURSIVE chain(id, hops) AS (
         SELECT ?, 0
         UNION ALL
         SELECT tasks.parent_id, chain.hops + 1 FROM tasks JOIN chain ON tasks.id = chain.id WHERE tasks.parent_id IS NOT NULL
       )
       SELECT tasks.* FROM chain JOIN tasks ON tasks.id = chain.id ORDER BY chain.hops`,
    )
    .all(id) as LineageRow[]
}

/** Case, whitespace and punctuation do not make a task different. */
export function normaliseTitle(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}

/** The ancestor a proposed sub-task repeats, if any. */
export function repeatedAncestor(db: StateDb, parentId: string, title: string): LineageRow | undefined {
  const wanted = normaliseTitle(title)
  return lineage(db, parentId).find((ancestor) => normaliseTitle(ancestor.title) === wanted)
}
