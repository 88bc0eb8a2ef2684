/**
 * Task lineage: sub-tasks are child rows (parent, depth) of the task that planned them.
 * A sub-task that repeats one of its ancestors would plan itself again forever, so it is refused.
 */
import type {StateDb} from '../state/db.js'
import {createTask, lineage, type LineageRow, type TaskPriority} from '../state/tasks.js'

export function startTask(
  db: StateDb,
  task: {title: string; role: string; priority: TaskPriority; parent?: LineageRow; status?: string},
): LineageRow {
  const depth = task.parent ? task.parent.depth + 1 : 0
  const row = createTask(db, {title: task.title, role: task.role, priority: task.priority, parentId: task.parent?.id, status: task.status ?? 'running', depth})
  return {...row, depth, summary: null, tx_id: null, tokens: 0, cost_usd: 0}
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
