/**
 * A task's own git worktree: created on its branch from a base ref, read back as a patch, and
 * removed again, so that tasks running side by side never share a working tree.
 */
import {rmSync} from 'node:fs'

import {GitArgumentError} from './errors.js'
import {gitAt} from './git.js'

/** Refuses a ref git could read as an option, or that cannot reach argv; callers validate refs as well. */
function checkedRef(ref: string): string {
  if (ref.startsWith('-') || ref.includes('\0') || ref.length === 0) {
    throw new GitArgumentError(`${JSON.stringify(ref)} is not a ref PyAgent passes to git: a ref starts with neither - nor is empty, and holds no NUL byte.`)
  }
  return ref
}

/** The commit `ref` names in `repository`. */
export async function resolveCommit(repository: string, ref: string): Promise<string> {
  return (await gitAt(repository).raw(['rev-parse', '--verify', '--end-of-options', `${checkedRef(ref)}^{commit}`])).trim()
}

/** Removes what an earlier attempt left (its worktree and branch) and adds a fresh worktree at `path` on `branch`, at `baseCommit`. */
export async function addWorktree(repository: string, path: string, branch: string, baseCommit: string): Promise<void> {
  await removeWorktree(repository, path, {deleteBranch: branch})
  await gitAt(repository).raw(['worktree', 'add', '--quiet', '-b', checkedRef(branch), '--end-of-options', path, checkedRef(baseCommit)])
}

/** Removes the worktree at `path` (and, when asked, its branch); what is already gone is no error. */
export async function removeWorktree(repository: string, path: string, options: {deleteBranch?: string} = {}): Promise<void> {
  const git = gitAt(repository)
  await git.raw(['worktree', 'remove', '--force', '--end-of-options', path]).catch(() => undefined)
  rmSync(path, {recursive: true, force: true})
  await git.raw(['worktree', 'prune']).catch(() => undefined)
  if (options.deleteBranch) await git.raw(['branch', '--quiet', '-D', '--end-of-options', checkedRef(options.deleteBranch)]).catch(() => undefined)
}

/** The change from `base` to `head` as a patch `git apply` takes, binary files included. */
export async function patchBetween(repository: string, base: string, head: string): Promise<string> {
  return gitAt(repository).raw(['diff', '--binary', '--no-color', '--no-ext-diff', checkedRef(base), checkedRef(head), '--'])
}
