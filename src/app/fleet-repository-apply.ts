/**
 * The dashboard's apply and undo of a fleet task, done by the server in the task's own repository
 * (a local path on the server's machine): apply brings the task's patch into that working tree
 * through one workspace transaction, as `pyagent apply` does in the caller's tree, and undo takes
 * exactly that transaction out again, refusing, as `pyagent undo` does, when its files changed
 * since. The branch `pyagent/<task>` is left alone: it is the task's result, whatever its tree holds.
 */
import {isAbsolute} from 'node:path'

import {z} from 'zod'

import {loadConfig} from '../config/load.js'
import type {Config} from '../config/schema.js'
import {type ApplyRecord, lastApplyRecord} from '../fleet/applies.js'
import {FleetTaskStateError} from '../fleet/errors.js'
import type {FleetTaskDetail} from '../fleet/schemas.js'
import type {FleetStore} from '../fleet/fleet-store.js'
import {applyFleetTask} from './fleet-apply.js'
import {undoInRepository} from './undo.js'

export const undoTaskBodySchema = z
  .object({force: z.boolean().default(false).meta({description: 'Restore the files even when they changed after the apply, losing those changes'})})
  .strict()
  .default({force: false})

export const appliedTaskSchema = z.object({
  task: z.uuid(),
  txId: z.string().meta({description: 'The workspace transaction in the repository; `pyagent undo <txId>` there also takes it out'}),
  files: z.array(z.string()),
})
export const undoneTaskSchema = appliedTaskSchema.extend({undid: z.string().meta({description: 'The apply transaction this undo reversed'})})

/** One apply or undo at a time per task: the record read and the one written must belong to the same turn. */
const busy = new Map<string, Promise<unknown>>()

function oneAtATime<T>(taskId: string, work: () => Promise<T>): Promise<T> {
  const turn = (busy.get(taskId) ?? Promise.resolve()).catch(() => undefined).then(work)
  busy.set(taskId, turn)
  return turn.finally(() => busy.get(taskId) === turn && busy.delete(taskId))
}

/** The task, its repository on this machine and that repository's config, for one turn of apply or undo. */
function inRepository<T>(store: FleetStore, taskId: string, work: (task: FleetTaskDetail, root: string, config: Config) => Promise<T>): Promise<T> {
  return oneAtATime(taskId, async () => {
    const task = await store.get(taskId)
    if (!isAbsolute(task.repository)) {
      throw new FleetTaskStateError(
        `Task ${task.id} ran on ${task.repository}, a repository given by URL: the server has no working tree of it. Fetch its branch ${task.branch} and apply it there.`,
      )
    }
    return work(task, task.repository, loadConfig({repoRoot: task.repository}).config)
  })
}

const record = (store: FleetStore, task: FleetTaskDetail, event: ApplyRecord) => store.appendEvent({id: task.id, attempt: task.attempts, worker: null}, event)

export function applyTaskInRepository(store: FleetStore, taskId: string): Promise<z.infer<typeof appliedTaskSchema>> {
  return inRepository(store, taskId, async (task, root, config) => {
    if ((await lastApplyRecord(store, task.id))?.type === 'applied') {
      throw new FleetTaskStateError(`Task ${task.id} is already applied in ${root}; undo it first to apply it again.`)
    }
    const applied = await applyFleetTask(root, config, task)
    await record(store, task, {type: 'applied', txId: applied.txId, files: applied.files})
    return {task: task.id, ...applied}
  })
}

export function undoTaskInRepository(store: FleetStore, taskId: string, options: {force: boolean}): Promise<z.infer<typeof undoneTaskSchema>> {
  return inRepository(store, taskId, async (task, root, config) => {
    const last = await lastApplyRecord(store, task.id)
    if (last?.type !== 'applied') {
      throw new FleetTaskStateError(
        `Task ${task.id} is not applied in ${root}${last ? ' (it was undone already)' : ''}, so there is nothing to undo; its change stays on branch ${task.branch} only.`,
      )
    }
    const result = await undoInRepository(root, config, last.txId, options)
    const files = result.commit.files.map((file) => file.path)
    await record(store, task, {type: 'undone', txId: result.commit.id, undid: last.txId, files})
    return {task: task.id, txId: result.commit.id, undid: last.txId, files}
  })
}
