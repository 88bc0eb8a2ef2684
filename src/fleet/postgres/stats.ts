/**
 * The dashboard's figures read from PostgreSQL: the same rows as stats.ts reads from SQLite (times
 * in ms since the epoch, counts over each task's last attempt), with the event's type and fields
 * read from its JSON, as PostgreSQL keeps no column of them.
 */
import {EDITING_TOOLS_SQL} from '../../state/stats.js'
import {FLEET_SCHEMA} from './migrations.js'

const T = `${FLEET_SCHEMA}.tasks`
const E = `${FLEET_SCHEMA}.events`
const ms = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8`

const ofLastAttempt = (condition: string) => `(SELECT count(*) FROM ${E} e WHERE e.task_id = t.id AND e.attempt = t.attempts AND ${condition})::integer`
const isEdit = `e.event->>'type' = 'tool_result' AND e.event->>'tool' IN ${EDITING_TOOLS_SQL}`

export const SELECT_TASK_TIMES = `
  SELECT t.id, t.role, t.status, ${ms('t.created_at')} AS "createdAt", ${ms('t.started_at')} AS "startedAt", ${ms('t.finished_at')} AS "finishedAt",
    t.tokens::float8 AS tokens, t.cost_usd AS "costUsd",
    ${ofLastAttempt("e.event->>'type' = 'step_started'")} AS steps,
    ${ofLastAttempt(isEdit)} AS edits,
    ${ofLastAttempt(`${isEdit} AND e.event->>'status' = 'ok'`)} AS "editsApplied"
  FROM ${T} t
  WHERE t.finished_at IS NULL OR t.finished_at >= to_timestamp($1 / 1000.0)
  ORDER BY t.seq`

/** As in SQLite: a step lasts until the next step_started or task_finished of its agent task in the same attempt. */
export const SELECT_STEP_TIMINGS = `
  SELECT at, ms FROM (
    SELECT event->>'type' AS type, ${ms('recorded_at')} AS at,
      ${ms(`LEAD(recorded_at) OVER (PARTITION BY task_id, attempt, event->>'taskId' ORDER BY seq)`)} - ${ms('recorded_at')} AS ms
    FROM ${E}
    WHERE event->>'type' IN ('step_started', 'task_finished') AND recorded_at >= to_timestamp($1 / 1000.0)
  ) steps
  WHERE type = 'step_started' AND ms IS NOT NULL
  ORDER BY at`

export const SELECT_LAST_EVENT_OF = `SELECT event FROM ${E} WHERE task_id = $1 AND event->>'type' = ANY($2::text[]) ORDER BY seq DESC LIMIT 1`
