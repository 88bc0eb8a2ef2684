/**
 * Where a task's change stands in its repository's working tree on the server's machine: the
 * server records each apply and undo it makes as one of the task's events, so the record is
 * numbered, streamed and kept with the rest of the task's history.
 */
import {statement} from '../state/statement.js'
import type {FleetDb} from './store.js'

export type ApplyRecord = {type: 'applied'; txId: string; files: string[]} | {type: 'undone'; txId: string; undid: string; files: string[]}

const selectLastRecord = statement(
  "SELECT event FROM fleet_events WHERE task_id = ? AND type IN ('applied', 'undone') ORDER BY seq DESC LIMIT 1",
)

/** The task's last apply or undo; undefined when the server never applied it. */
export function lastApplyRecord(db: FleetDb, taskId: string): ApplyRecord | undefined {
  const found = selectLastRecord(db).get(taskId) as {event: string} | undefined
  return found ? (JSON.parse(found.event) as ApplyRecord) : undefined
}
