/**
 * What PyAgent asks of git (through simple-git): the state before a task, a refusal to work on
 * a repository in the middle of a merge or rebase, and the optional commit after success.
 */
import {existsSync} from 'node:fs'
import {isAbsolute, join} from 'node:path'
import {simpleGit, type SimpleGit} from 'simple-git'

import {GitArgumentError, GitStateError} from './errors.js'

export interface GitSnapshot {
  /** null in a repository without commits. */
  head: string | null
  branch: string | null
  dirty: boolean
  /** Paths with uncommitted changes, as `git status --porcelain` names them. */
  changed: string[]
}

/** Markers git leaves in its directory while an operation waits for the user. */
const IN_PROGRESS: readonly {marker: string; operation: string; finish: string}[] = [
  {marker: 'MERGE_HEAD', operation: 'a merge', finish: 'git merge --continue or git merge --abort'},
  {marker: 'rebase-merge', operation: 'a rebase', finish: 'git rebase --continue or git rebase --abort'},
  {marker: 'rebase-apply', operation: 'a rebase or git am', finish: 'git rebase --continue/--abort or git am --abort'},
  {marker: 'CHERRY_PICK_HEAD', operation: 'a cherry-pick', finish: 'git cherry-pick --continue or --abort'},
  {marker: 'REVERT_HEAD', operation: 'a revert', finish: 'git revert --continue or --abort'},
]

function git(root: string): SimpleGit {
  return simpleGit({baseDir: root, config: ['core.quotepath=false']})
}

export async function isGitRepository(root: string): Promise<boolean> {
  return git(root).checkIsRepo()
}

export async function gitSnapshot(root: string): Promise<GitSnapshot> {
  const repo = git(root)
  const status = await repo.status()
  let head: string | null = null
  try {
    head = (await repo.revparse(['--verify', '-q', 'HEAD'])).trim() || null
  } catch {
    head = null
  }
  return {head, branch: status.current ?? null, dirty: !status.isClean(), changed: status.files.map((file) => file.path)}
}

/** Throws a GitStateError naming the operation and how to finish it, when one is in progress. */
export async function assertNoOperationInProgress(root: string): Promise<void> {
  // --git-path follows worktrees, where these markers live outside `.git/`; one git call answers all.
  const paths = (await git(root).revparse(IN_PROGRESS.flatMap(({marker}) => ['--git-path', marker]))).trim().split('\n')
  for (const [index, {operation, finish}] of IN_PROGRESS.entries()) {
    const relative = paths[index]!.trim()
    const path = isAbsolute(relative) ? relative : join(root, relative)
    if (existsSync(path)) {
      throw new GitStateError(`${root} is in the middle of ${operation}; finish it first (${finish}), then run PyAgent again`)
    }
  }
}

/** The snapshot a task records before it starts; refuses a repository mid-merge or mid-rebase. */
export async function prepareTask(root: string): Promise<GitSnapshot | null> {
  if (!(await isGitRepository(root))) return null
  await assertNoOperationInProgress(root)
  return gitSnapshot(root)
}

export interface AutoCommitInput {
  title: string
  transactionIds: readonly string[]
  paths: readonly string[]
}

export function commitMessage(input: AutoCommitInput): string {
  // The task's text comes from a person or a script: control characters (a NUL cannot even reach git's argv) are dropped.
  const subject = input.title.split('\n')[0]!.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 68) || 'PyAgent edit'
  const files = input.paths.length === 1 ? '1 file' : `${input.paths.length} files`
  return [`pyagent: ${subject}`, '', `${files} changed in transaction ${input.transactionIds.join(', ')}.`, `PyAgent-Transaction: ${input.transactionIds.join(' ')}`].join('\n')
}

/**
 * Commits exactly the task's paths (additions, edits and deletions), leaving anything else the
 * user had staged or changed out of the commit. Returns the new commit's hash.
 *
 * The paths are file names an agent chose: they follow `--`, so that a file named `--amend` or
 * `--no-verify` is a file, never an option, and `--literal-pathspecs` keeps one named `:(top)x`,
 * `:!README.md` or `*.txt` from naming (and staging) the user's other files; the message is the
 * value of `-m`, whatever it starts with. (simple-git's commit() puts the paths before the
 * options, with no `--`.)
 */
export async function autoCommit(root: string, input: AutoCommitInput): Promise<string | null> {
  if (input.paths.length === 0) return null
  const withNul = input.paths.find((path) => path.includes('\0'))
  if (withNul !== undefined) {
    throw new GitArgumentError(`Not committing: the path ${JSON.stringify(withNul)} holds a NUL byte, which no file name can; nothing was committed. Commit the task's files yourself with git.`)
  }
  const repo = git(root)
  const before = await headOf(repo)
  await repo.raw(['--literal-pathspecs', 'add', '-A', '--', ...input.paths])
  await repo.raw(['--literal-pathspecs', 'commit', '--only', '-m', commitMessage(input), '--', ...input.paths])
  const after = await headOf(repo)
  return after !== before ? after : null
}

async function headOf(repo: SimpleGit): Promise<string | null> {
  return (await repo.raw(['rev-parse', '--verify', '-q', 'HEAD']).catch(() => '')).trim() || null
}
