/**
 * What PyAgent asks of git (through simple-git): the state before a task, a refusal to work on
 * a repository in the middle of a merge or rebase, and the optional commit after success.
 */
import {existsSync} from 'node:fs'
import {isAbsolute, join} from 'node:path'
import {simpleGit, type SimpleGit} from 'simple-git'

import {AutoCommitError, GitArgumentError, GitStateError} from './errors.js'

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

/**
 * PyAgent's one way to run git, but for the review's lean path (review/git.ts: the pre-commit
 * hook pays for every import, and simple-git's is a sizeable share of its budget).
 */
export function gitAt(root: string): SimpleGit {
  return simpleGit({baseDir: root, config: ['core.quotepath=false']})
}

async function isGitRepository(root: string): Promise<boolean> {
  return gitAt(root).checkIsRepo()
}

export async function gitSnapshot(root: string): Promise<GitSnapshot> {
  const repo = gitAt(root)
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
  const paths = (await gitAt(root).revparse(IN_PROGRESS.flatMap(({marker}) => ['--git-path', marker]))).trim().split('\n')
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
  /** The task whose changes these are: what `pyagent undo` takes them out by. */
  taskId: string
  title: string
  transactionIds: readonly string[]
  paths: readonly string[]
}

export function commitMessage(input: Pick<AutoCommitInput, 'title' | 'transactionIds' | 'paths'>): string {
  // The task's text comes from a person or a script: control characters (a NUL cannot even reach git's argv) are dropped.
  const subject = input.title.split('\n')[0]!.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 68) || 'PyAgent edit'
  const files = input.paths.length === 1 ? '1 file' : `${input.paths.length} files`
  return [`pyagent: ${subject}`, '', `${files} changed in transaction ${input.transactionIds.join(', ')}.`, `PyAgent-Transaction: ${input.transactionIds.join(' ')}`].join('\n')
}

/**
 * Commits exactly the task's paths (additions, edits and deletions), leaving anything else the
 * user had staged or changed out of the commit. Returns the new commit's hash; throws an
 * AutoCommitError, with the index as it was, when git (a pre-commit hook, say) refuses.
 *
 * The paths are file names an agent chose: they follow `--`, so that a file named `--amend` or
 * `--no-verify` is a file, never an option, and `--literal-pathspecs` keeps one named `:(top)x`,
 * `:!README.md` or `*.txt` from naming the user's other files; the message is the value of `-m`,
 * whatever it starts with. (simple-git's commit() puts the paths before the options, with no `--`.)
 */
export async function autoCommit(root: string, input: AutoCommitInput): Promise<string | null> {
  if (input.paths.length === 0) return null
  const withNul = input.paths.find((path) => path.includes('\0'))
  if (withNul !== undefined) {
    throw new GitArgumentError(`Not committing: the path ${JSON.stringify(withNul)} holds a NUL byte, which no file name can; nothing was committed. Commit the task's files yourself with git.`)
  }
  const repo = gitAt(root)
  const tracked = new Set((await repo.raw(['--literal-pathspecs', 'ls-files', '-z', '--', ...input.paths])).split('\0'))
  // A file the task created and a later transaction deleted is in neither the index nor the tree: git knows no such path.
  const paths = input.paths.filter((path) => tracked.has(path) || existsSync(join(root, path)))
  if (paths.length === 0) return null
  // `commit --only` takes tracked paths from the work tree by itself; a new file only has to be known to the index.
  const added = paths.filter((path) => !tracked.has(path))
  if (added.length > 0) await repo.raw(['--literal-pathspecs', 'add', '--intent-to-add', '--', ...added])
  const before = await headOf(repo)
  try {
    await repo.raw(['--literal-pathspecs', 'commit', '--only', '-m', commitMessage(input), '--', ...paths])
  } catch (error) {
    if (added.length > 0) await repo.raw(['--literal-pathspecs', 'rm', '--cached', '--quiet', '--', ...added])
    throw new AutoCommitError(refusedCommit(input, paths, (error as Error).message))
  }
  const after = await headOf(repo)
  return after !== before ? after : null
}

function refusedCommit(input: AutoCommitInput, paths: readonly string[], reason: string): string {
  const names = paths.length === 1 ? paths[0]! : `${paths.slice(0, -1).join(', ')} and ${paths.at(-1)}`
  return (
    `git commit refused the task's changes: ${reason.trim()}\n` +
    `${names} ${paths.length === 1 ? 'is' : 'are'} written but not committed (transaction ${input.transactionIds.join(', ')}); ` +
    `commit them yourself once that is resolved, or take them out with \`pyagent undo ${input.taskId}\`.`
  )
}

async function headOf(repo: SimpleGit): Promise<string | null> {
  return (await repo.raw(['rev-parse', '--verify', '-q', 'HEAD']).catch(() => '')).trim() || null
}
