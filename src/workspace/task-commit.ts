/**
 * The optional git commit after a successful task (config autoCommit): the files the task's
 * transactions touched, with a generated message naming them. A file whose edits were undone
 * is named too and simply has no change for git to record.
 */
import {autoCommit, isGitRepository} from './git.js'
import type {Workspace} from './workspace.js'

export interface TaskCommit {
  commit: string | null
  paths: string[]
  transactionIds: string[]
}

export async function commitTask(workspace: Workspace, taskId: string, title: string): Promise<TaskCommit> {
  const committed = workspace.journal.transactionsOfTask(taskId).filter((tx) => tx.status === 'committed')
  const transactionIds = committed.map((tx) => tx.id)
  const paths = [...new Set(committed.flatMap((tx) => workspace.journal.files(tx.id).map((file) => file.path)))].sort()
  if (paths.length === 0 || !(await isGitRepository(workspace.root))) return {commit: null, paths, transactionIds}
  const commit = await autoCommit(workspace.root, {taskId, title, transactionIds, paths})
  return {commit, paths, transactionIds}
}
