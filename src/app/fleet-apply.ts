/**
 * `pyagent apply <task>`: a fleet task's patch brought into this working tree through one
 * workspace transaction, so that it lands whole or not at all, is journaled like any task's
 * edits, and `pyagent undo <tx>` takes it out again.
 */
import type {Config} from '../config/schema.js'
import {FleetTaskStateError} from '../fleet/errors.js'
import type {FleetTaskDetail} from '../fleet/schemas.js'
import {applyPatch, parsePatch} from '../native.js'
import {EditError} from '../workspace/errors.js'
import {Workspace} from '../workspace/workspace.js'

export interface AppliedTask {
  txId: string
  files: string[]
}

export async function applyFleetTask(root: string, config: Config, task: FleetTaskDetail): Promise<AppliedTask> {
  if (task.status !== 'done' || !task.patch) {
    throw new FleetTaskStateError(`Task ${task.id} is ${task.status} and has ${task.patch ? 'a' : 'no'} change to apply; only a task that is done with a commit can be applied.`)
  }
  const workspace = Workspace.open(root, {denyPaths: config.denyPaths})
  try {
    const tx = workspace.begin({message: `pyagent apply ${task.id}: ${task.task.split('\n')[0]!.slice(0, 60)}`})
    try {
      for (const part of parsePatch(task.patch, {recount: true})) {
        const path = part.newPath ?? part.oldPath!
        if (part.binary || part.kind === 'rename' || part.kind === 'copy') {
          throw new EditError(`${path}: the task's ${part.binary ? 'binary change' : part.kind} cannot be applied as text; nothing was written. Take it from branch ${task.branch} with git instead.`)
        }
        if (part.kind === 'delete') tx.delete(path)
        else tx.write(path, applyPatch(part.kind === 'create' ? '' : tx.readText(path), part.patch).text)
      }
    } catch (error) {
      tx.rollback()
      throw error
    }
    // The commit ends the transaction itself when it fails: a file changed since it was read, say.
    const committed = await tx.commit()
    return {txId: committed.id, files: committed.files.map((file) => file.path)}
  } finally {
    workspace.close()
  }
}
