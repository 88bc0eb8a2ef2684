import {existsSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'

/**
 * The repository PyAgent works on: the nearest ancestor of `cwd` holding `.git` (a directory,
 * or a file in a worktree), else `cwd` itself. Found without spawning git: it runs on every command.
 */
export function findRepoRoot(cwd: string = process.cwd()): string {
  const start = resolve(cwd)
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir
    if (dirname(dir) === dir) return start
  }
}

/** Whether `repoRoot` (as findRepoRoot found it) is a git repository rather than a plain directory. */
export function isGitWorkTree(repoRoot: string): boolean {
  return existsSync(join(repoRoot, '.git'))
}
