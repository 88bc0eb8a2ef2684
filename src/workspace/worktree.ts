/**
 * A task's own git worktree: created on its branch from a base ref, read back as a patch, and
 * removed again, so that tasks running side by side never share a working tree.
 */
import {existsSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {isAbsolute, join} from 'node:path'
import {lock} from 'proper-lockfile'

import {GitArgumentError} from './errors.js'
import {gitAt} from './git.js'

/**
 * Adding and removing worktrees of one repository, one at a time across processes: git writes a
 * new worktree's files (commondir, gitdir) while another `worktree add` or `branch -D` reads every
 * worktree's, and one caught half-written fails ("failed to read …/commondir"). Fleet workers add
 * and remove worktrees of a shared repository at any moment, so they take this lock in its git directory.
 */
async function withWorktreeLock<T>(repository: string, change: (gitDir: string) => Promise<T>): Promise<T> {
  const common = (await gitAt(repository).raw(['rev-parse', '--git-common-dir'])).trim()
  const dir = isAbsolute(common) ? common : join(repository, common)
  // A holder that was killed leaves a lock that goes stale (no longer refreshed) within seconds.
  const release = await lock(dir, {lockfilePath: join(dir, 'pyagent-worktrees.lock'), stale: 10_000, update: 2_000, retries: {retries: 600, minTimeout: 20, maxTimeout: 250}})
  try {
    return await change(dir)
  } finally {
    await release().catch(() => undefined)
  }
}

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

/** Removes what an earlier attempt left (its worktree, wherever it was made, and its branch) and adds a fresh worktree at `path` on `branch`, at `baseCommit`. */
/**
 * A `worktree add` killed midway (a fleet worker SIGKILLed as its task starts) leaves its entry in
 * .git/worktrees locked as "initializing", perhaps with an empty commondir, and every later
 * `worktree add` or `branch -D` in the repository then fails. Under the lock no add of ours is
 * under way, so such an entry is a remnant, and goes.
 */
function removeInterruptedAdds(gitDir: string): void {
  const entries = join(gitDir, 'worktrees')
  if (!existsSync(entries)) return
  for (const entry of readdirSync(entries)) {
    const locked = join(entries, entry, 'locked')
    if (existsSync(locked) && readFileSync(locked, 'utf8').startsWith('initializing')) rmSync(join(entries, entry), {recursive: true, force: true})
  }
}

/** The worktrees that have `branch` checked out: an earlier attempt's, which may have been made at another path (by a worker on another machine). */
async function worktreesOn(repository: string, branch: string): Promise<string[]> {
  const listing = await gitAt(repository).raw(['worktree', 'list', '--porcelain'])
  return listing
    .split('\n\n')
    .filter((entry) => entry.split('\n').includes(`branch refs/heads/${branch}`))
    .map((entry) => entry.split('\n')[0]!.slice('worktree '.length))
}

export async function addWorktree(repository: string, path: string, branch: string, baseCommit: string): Promise<void> {
  await withWorktreeLock(repository, async (gitDir) => {
    removeInterruptedAdds(gitDir)
    for (const earlier of await worktreesOn(repository, branch)) await removeUnlocked(repository, earlier, {})
    await removeUnlocked(repository, path, {deleteBranch: branch})
    await gitAt(repository).raw(['worktree', 'add', '--quiet', '-b', checkedRef(branch), '--end-of-options', path, checkedRef(baseCommit)])
  })
}

/** Removes the worktree at `path` (and, when asked, its branch); what is already gone is no error. */
export async function removeWorktree(repository: string, path: string, options: {deleteBranch?: string} = {}): Promise<void> {
  await withWorktreeLock(repository, async (gitDir) => {
    removeInterruptedAdds(gitDir)
    await removeUnlocked(repository, path, options)
  })
}

async function removeUnlocked(repository: string, path: string, options: {deleteBranch?: string}): Promise<void> {
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
