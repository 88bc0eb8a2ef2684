/** One row per finished task since a moment, with what `pyagent stats` adds up: steps, usage, time, edits. */
import type {StateDb} from './db.js'
import {statement} from './statement.js'

export interface TaskFigures {
  id: string
  role: string
  status: string
  /** The model that answered most of the task's calls; null when it made none. */
  model: string | null
  createdAt: string
  seconds: number
  steps: number
  tokens: number
  costUsd: number
  /** Calls of the editing tools (edit, apply_patch, write_file), and how many of them applied. */
  edits: number
  editsApplied: number
}

/** The tools whose calls change files: their ok results over all their results is the edit-apply rate (here and on the fleet's dashboard). */
const EDITING_TOOL_NAMES = ['edit', 'apply_patch', 'write_file'] as const

/** The list as SQL, for `IN`: the names are constants of this module, never input. */
export const EDITING_TOOLS_SQL = `(${EDITING_TOOL_NAMES.map((name) => `'${name}'`).join(', ')})`

const selectFigures = statement(`
  SELECT t.id, t.role, t.status, t.created_at AS createdAt,
    max(0, (julianday(t.updated_at) - julianday(t.created_at)) * 86400.0) AS seconds,
    coalesce(t.tokens, 0) AS tokens, coalesce(t.cost_usd, 0) AS costUsd,
    (SELECT model FROM llm_calls c WHERE c.task_id = t.id GROUP BY model ORDER BY count(*) DESC, model LIMIT 1) AS model,
    (SELECT count(*) FROM events e WHERE e.task_id = t.id AND e.type = 'step_started') AS steps,
    (SELECT count(*) FROM events e WHERE e.task_id = t.id AND e.type = 'tool_result'
       AND json_extract(e.payload, '$.tool') IN ${EDITING_TOOLS_SQL}) AS edits,
    (SELECT count(*) FROM events e WHERE e.task_id = t.id AND e.type = 'tool_result'
       AND json_extract(e.payload, '$.tool') IN ${EDITING_TOOLS_SQL} AND json_extract(e.payload, '$.status') = 'ok') AS editsApplied
  FROM tasks t
  WHERE t.created_at >= ? AND t.status NOT IN ('pending', 'running')
  ORDER BY t.created_at, t.rowid
`)

export function taskFiguresSince(db: StateDb, sinceIso: string): TaskFigures[] {
  return selectFigures(db).all(sinceIso) as TaskFigures[]
}
