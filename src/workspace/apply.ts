/**
 * Puts files into the states the journal asks for, each one atomically: the new content goes to
 * a temp file in the same directory, is fsynced, then renamed over the target, and the directory
 * is fsynced. A crash leaves each file wholly old or wholly new, never torn; the journal makes the
 * set of files whole (see recovery.ts).
 */
import {chmodSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmdirSync, rmSync, unlinkSync} from 'node:fs'
import {open} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

import {type FileState, observe, sameState} from './file-state.js'

export interface StateChange {
  /** Workspace-relative path. */
  path: string
  target: FileState
  /** Content of the target state; required unless the target is absent. */
  content: Buffer | null
  /** The state the file is known to have now; when missing it is read from disk (recovery). */
  current?: FileState
}

/** Parallel fsyncs let the file system batch its journal commits; more than this gains nothing on a laptop disk. */
const WRITE_CONCURRENCY = 16

/** Deterministic per transaction and path, so recovery can find and remove what a crash left behind. */
export function tempPathFor(absolute: string, txId: string): string {
  return join(dirname(absolute), `.${basename(absolute)}.pyagent-${txId.slice(0, 8)}.tmp`)
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** mkdir -p that reports which directories it made, so their parents get fsynced too. */
function ensureDirectory(dir: string, touchedDirs: Set<string>): void {
  const first = mkdirSync(dir, {recursive: true})
  if (first === undefined) return
  for (let created = dir; ; created = dirname(created)) {
    touchedDirs.add(dirname(created))
    if (created === first || dirname(created) === created) break
  }
}

async function writeDurably(path: string, content: Buffer, mode: number): Promise<void> {
  const handle = await open(path, 'w', mode)
  try {
    await handle.writeFile(content)
    // open()'s mode is filtered by the umask; the journal's mode is exact.
    await handle.chmod(mode)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function inBatches<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const workers = Array.from({length: Math.min(limit, items.length)}, async () => {
    while (next < items.length) await work(items[next++]!)
  })
  await Promise.all(workers)
}

/**
 * Applies every change. Idempotent: a file already in its target state is left alone, which is
 * what lets recovery run the same changes again after a crash at any point.
 */
export async function applyStates(root: string, txId: string, changes: readonly StateChange[]): Promise<void> {
  const touchedDirs = new Set<string>()
  const renames: {temp: string; absolute: string}[] = []
  const writes: {temp: string; content: Buffer; mode: number}[] = []
  const emptiedDirs = new Set<string>()

  for (const change of changes) {
    const absolute = join(root, change.path)
    const current = change.current ?? observe(absolute)
    if (sameState(current, change.target)) continue
    const dir = dirname(absolute)
    if (change.target.hash === null) {
      unlinkSync(absolute)
      touchedDirs.add(dir)
      emptiedDirs.add(dir)
      continue
    }
    if (current.hash === change.target.hash) {
      // Only the mode differs: chmod is atomic on its own.
      chmodSync(absolute, change.target.mode!)
      continue
    }
    if (change.content === null) throw new Error(`No content journaled for ${change.path} (${change.target.hash})`)
    ensureDirectory(dir, touchedDirs)
    const temp = tempPathFor(absolute, txId)
    writes.push({temp, content: change.content, mode: change.target.mode!})
    renames.push({temp, absolute})
    touchedDirs.add(dir)
  }

  await inBatches(writes, WRITE_CONCURRENCY, (write) => writeDurably(write.temp, write.content, write.mode))
  for (const {temp, absolute} of renames) renameSync(temp, absolute)
  for (const dir of emptiedDirs) removeEmptyDirectories(root, dir, touchedDirs)
  for (const dir of touchedDirs) fsyncDirectory(dir)
}

/**
 * Removes `dir` and its parents, below the root, while they are empty, as `git rm` does: undoing
 * a task that created `src/new/file.ts` leaves no `src/new/` behind.
 */
function removeEmptyDirectories(root: string, dir: string, touchedDirs: Set<string>): void {
  for (let current = dir; current !== root && dirname(current) !== current; current = dirname(current)) {
    try {
      rmdirSync(current)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOENT') return
      throw error
    }
    touchedDirs.delete(current)
    touchedDirs.add(dirname(current))
  }
}

/** Removes the temp files a crashed apply of this transaction may have left. */
export function removeTempFiles(root: string, txId: string, paths: readonly string[]): void {
  for (const path of paths) {
    try {
      rmSync(tempPathFor(join(root, path), txId), {force: true})
    } catch (error) {
      // The temp file's directory is gone or is no longer a directory: there is no temp file.
      if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error
    }
  }
}
