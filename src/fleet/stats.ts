/**
 * What the fleet's dashboard charts, read from the fleet's SQLite file (postgres/stats.ts reads the same from PostgreSQL): per task the figures
 * `pyagent stats` adds up (steps, usage, time, edits, counted over the task's last attempt, the one
 * whose result stands), and per step how long it took, from when its events were recorded.
 */
import {EDITING_TOOLS_SQL} from '../state/stats.js'
import {statement} from '../state/statement.js'
import type {FleetStatus} from './schemas.js'
import type {FleetDb} from './store.js'

export interface FleetTaskTimes {
  id: string
  role: string
  status: FleetStatus
  createdAt: number
  startedAt: number | null
  finishedAt: number | null
  tokens: number
  costUsd: number
  steps: number
  edits: number
  editsApplied: number
}

export interface StepTiming {
  /** When the step started (ms since the epoch). */
  at: number
  ms: number
}

/** Counted in the (type, task, attempt) index: SQLite's planner, left alone, reads every event of the task and parses each. */
const ofLastAttempt = (condition: string) =>
  `(SELECT count(*) FROM fleet_events e INDEXED BY fleet_events_by_type_task WHERE e.task_id = t.id AND e.attempt = t.attempts AND ${condition})`
const isEdit = `e.type = 'tool_result' AND json_extract(e.event, '$.tool') IN ${EDITING_TOOLS_SQL}`

/** Every task alive at some moment after `since`: created before the window's end and not finished before its start. */
const selectTaskTimes = statement(`
  SELECT t.id, t.role, t.status, t.created_at AS createdAt, t.started_at AS startedAt, t.finished_at AS finishedAt,
    t.tokens, t.cost_usd AS costUsd,
    ${ofLastAttempt("e.type = 'step_started'")} AS steps,
    ${ofLastAttempt(isEdit)} AS edits,
    ${ofLastAttempt(`${isEdit} AND json_extract(e.event, '$.status') = 'ok'`)} AS editsApplied
  FROM fleet_tasks t
  WHERE t.finished_at IS NULL OR t.finished_at >= ?
  ORDER BY t.seq
`)

/**
 * A step lasts from its step_started to the next step_started or task_finished of the same agent
 * task (a sub-task's steps are its own) in the same attempt; a step that never ended (a cancel, a
 * crash) has no duration and is left out.
 */
const selectStepTimings = statement(`
  SELECT at, ms FROM (
    SELECT type, recorded_at AS at,
      LEAD(recorded_at) OVER (PARTITION BY task_id, attempt, agent_task ORDER BY seq) - recorded_at AS ms
    FROM (
      SELECT task_id, attempt, seq, recorded_at, type, json_extract(event, '$.taskId') AS agent_task
      FROM fleet_events
      WHERE type IN ('step_started', 'task_finished') AND recorded_at >= ?
    )
  )
  WHERE type = 'step_started' AND ms IS NOT NULL
  ORDER BY at
`)

export function fleetTaskTimes(db: FleetDb, sinceMs: number): FleetTaskTimes[] {
  return selectTaskTimes(db).all(sinceMs) as FleetTaskTimes[]
}

export function fleetStepTimings(db: FleetDb, sinceMs: number): StepTiming[] {
  return selectStepTimings(db).all(sinceMs) as StepTiming[]
}
