/**
 * Where a fleet task's worktree is made, and how what an unfinished attempt left is discarded:
 * for a task its server gave up on once its worker stopped answering, which can no longer clean
 * up after itself. Kept apart from running a task, so that the server loads no agent for it.
 */
import {existsSync} from 'node:fs'
import {isAbsolute, join} from 'node:path'

import {taskBranch} from '../fleet/tasks.js'
import {mirrorPath} from '../workspace/mirror.js'
import {removeWorktree} from '../workspace/worktree.js'

export const taskWorktreePath = (workDir: string, id: string) => join(workDir, id)

/** Removes the task's worktree and its branch, in its repository or the mirror of its URL; what is already gone is no error. */
export async function discardTaskWorktree(task: {id: string; repository: string}, dirs: {workDir: string; mirrorDir: string}): Promise<void> {
  const source = isAbsolute(task.repository) ? task.repository : mirrorPath(dirs.mirrorDir, task.repository)
  if (!existsSync(source)) return
  await removeWorktree(source, taskWorktreePath(dirs.workDir, task.id), {deleteBranch: taskBranch(task.id)})
}
