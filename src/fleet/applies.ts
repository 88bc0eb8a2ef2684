/**
 * Where a task's change stands in its repository's working tree on the server's machine: the
 * server records each apply and undo it makes as one of the task's events, so the record is
 * numbered, streamed and kept with the rest of the task's history.
 */
import type {FleetStore} from './fleet-store.js'

export type ApplyRecord = {type: 'applied'; txId: string; files: string[]} | {type: 'undone'; txId: string; undid: string; files: string[]}

/** The task's last apply or undo; undefined when the server never applied it. */
export async function lastApplyRecord(store: FleetStore, taskId: string): Promise<ApplyRecord | undefined> {
  return (await store.lastEventOf(taskId, ['applied', 'undone'])) as ApplyRecord | undefined
}
