/**
 * Crash recovery, run when a command starts in a repository (src/cli/base.ts) and whenever a
 * workspace is opened. It repairs only what the crash left, and never a file changed since.
 *
 * A transaction whose process died while `committing` has every before- and after-blob
 * journaled. Each of its files is found in one of three states: its before state (not yet
 * renamed into place), its after state (renamed), or neither (someone changed it after the
 * crash). The decision:
 *  - if any file reached its after state, the commit had begun to land: it is rolled forward,
 *    every file still in its before state is put into its after state;
 *  - if none did, nothing of it landed: it is rolled back (its files already are as before).
 *    This is also what a commit that failed and restored its files (disk full) looks like when
 *    it could not record that it rolled back, so recovery never lands an edit a run said failed;
 *  - a file in neither state is never touched: the person's version stays, the journaled
 *    version PyAgent would have written is kept aside in `.pyagent/recovered/<tx>/<path>`, and
 *    the report names both.
 * If rolling forward fails (a directory it needs has become a file, say), the files it moved are
 * rolled back instead. Leftover temp files are removed. A transaction that died while `open`
 * wrote nothing; it is marked abandoned and its locks are released. Tasks whose process died are
 * marked interrupted.
 */
import {existsSync, mkdirSync, realpathSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import type {StateDb} from '../state/db.js'
import {pyagentDir, stateDbPath} from '../state/paths.js'
import {interruptDeadTasks} from '../state/tasks.js'
import type {TxFileRow} from '../state/transactions.js'
import {applyStates, removeTempFiles, type StateChange} from './apply.js'
import {afterState, beforeState, Journal} from './journal.js'
import {type FileState, observe, type Observed, sameState} from './file-state.js'

/** A file someone changed between the crash and the recovery: theirs is kept, PyAgent's is put aside. */
export interface KeptAside {
  txId: string
  path: string
  /** Where the journaled version PyAgent would have written now is; null when it would have deleted the file. */
  savedAt: string | null
}

export interface RecoveryReport {
  rolledForward: string[]
  rolledBack: string[]
  abandoned: string[]
  keptAside: KeptAside[]
  /** Tasks whose process died while they ran, now marked interrupted. */
  interruptedTasks: string[]
  failed: {id: string; error: string}[]
}

/** A process we cannot signal for lack of permission still exists. */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Transactions a dead process left open or committing: what `recover` would act on. */
function interrupted(journal: Journal) {
  return journal.transactionsWithStatus(['open', 'committing']).filter((tx) => !isAlive(tx.pid))
}

/**
 * The repository's state database, or undefined when PyAgent never ran here. SQLite is imported
 * only then: the pre-commit hook asks on every commit, in repositories that mostly have none.
 * In a repository this user cannot write, recovery could not write either: that is an error only
 * when there is something to recover.
 */
async function existingState(repoRoot: string): Promise<StateDb | undefined> {
  if (!existsSync(stateDbPath(repoRoot))) return undefined
  const {openState, openStateForReading, StateDbError} = await import('../state/db.js')
  try {
    return openState(repoRoot)
  } catch (error) {
    if (!(error instanceof StateDbError) || error.code !== 'E_STATE_READ_ONLY') throw error
    const copy = openStateForReading(repoRoot)!
    try {
      if (interrupted(new Journal(copy)).length > 0) throw error
    } finally {
      copy.close()
    }
    return undefined
  }
}

/** Whether the repository has a transaction a crash interrupted. */
export async function hasInterruptedTransactions(repoRoot: string): Promise<boolean> {
  const db = await existingState(repoRoot)
  try {
    return db !== undefined && interrupted(new Journal(db)).length > 0
  } finally {
    db?.close()
  }
}

/** Repairs what crashes left in the repository; undefined when there was nothing to repair. */
export async function recoverRepository(repoRoot: string): Promise<RecoveryReport | undefined> {
  const db = await existingState(repoRoot)
  if (!db) return undefined
  try {
    const report = await recover(realpathSync(repoRoot), new Journal(db))
    return Object.values(report).some((items) => items.length > 0) ? report : undefined
  } finally {
    db.close()
  }
}

type Found = 'before' | 'after' | 'changed'

interface RecoveredFile {
  row: TxFileRow
  before: FileState
  after: FileState
  current: Observed | undefined
  found: Found
}

/** Where the file is now; a file that is no longer a regular file counts as changed by someone. */
function inspect(root: string, row: TxFileRow): RecoveredFile {
  const before = beforeState(row)
  const after = afterState(row)
  let current: Observed | undefined
  try {
    current = observe(join(root, row.path))
  } catch {
    return {row, before, after, current, found: 'changed'}
  }
  const found: Found = sameState(current, after) ? 'after' : sameState(current, before) ? 'before' : 'changed'
  return {row, before, after, current, found}
}

export async function recover(root: string, journal: Journal): Promise<RecoveryReport> {
  const report: RecoveryReport = {rolledForward: [], rolledBack: [], abandoned: [], keptAside: [], interruptedTasks: [], failed: []}
  for (const tx of interrupted(journal)) {
    if (!journal.claim(tx)) continue
    if (tx.status === 'open') {
      journal.markEnded(tx.id, 'abandoned')
      report.abandoned.push(tx.id)
      continue
    }
    try {
      await finishCommitting(root, journal, tx.id, report)
    } catch (error) {
      report.failed.push({id: tx.id, error: (error as Error).message})
    }
  }
  report.interruptedTasks = interruptDeadTasks(journal.db, isAlive)
  return report
}

async function finishCommitting(root: string, journal: Journal, txId: string, report: RecoveryReport): Promise<void> {
  const rows = journal.files(txId)
  const files = rows.map((row) => inspect(root, row))
  const untouched = files.filter((file) => file.found !== 'changed')
  const paths = rows.map((row) => row.path)
  // The temp files are PyAgent's own half-written copies; removing them first also frees the space a full disk lacked.
  removeTempFiles(root, txId, paths)

  if (!files.some((file) => file.found === 'after')) {
    journal.markEnded(txId, 'rolled_back')
    report.rolledBack.push(txId)
    return
  }
  try {
    await applyStates(root, txId, untouched.map((file) => change(journal, file, 'after')))
  } catch (forwardError) {
    try {
      await applyStates(root, txId, untouched.map((file) => change(journal, file, 'before')))
      removeTempFiles(root, txId, paths)
    } catch (backwardError) {
      throw new Error(
        `rolling forward failed (${(forwardError as Error).message}), and so did rolling back (${(backwardError as Error).message})`,
      )
    }
    journal.markEnded(txId, 'rolled_back')
    report.rolledBack.push(txId)
    return
  }
  removeTempFiles(root, txId, paths)
  for (const file of files.filter((candidate) => candidate.found === 'changed')) {
    report.keptAside.push(keepAside(root, journal, txId, file))
  }
  journal.markCommitted(txId)
  report.rolledForward.push(txId)
}

/**
 * The change that puts `file` into its after state, or back into its before state. Rolling
 * forward starts from what inspect() saw; rolling back comes after a forward attempt that may
 * have renamed some files already, so each file's state is read from disk again.
 */
function change(journal: Journal, file: RecoveredFile, side: 'before' | 'after'): StateChange {
  const target = side === 'after' ? file.after : file.before
  const content = target.hash === null ? null : journal.blob(target.hash)
  return side === 'after' ? {path: file.row.path, target, content, current: file.current} : {path: file.row.path, target, content}
}

/** Saves the version PyAgent would have written where the person can compare it with theirs. */
function keepAside(root: string, journal: Journal, txId: string, file: RecoveredFile): KeptAside {
  if (file.after.hash === null) return {txId, path: file.row.path, savedAt: null}
  const savedAt = join(pyagentDir(root), 'recovered', txId, file.row.path)
  mkdirSync(dirname(savedAt), {recursive: true})
  writeFileSync(savedAt, journal.blob(file.after.hash), {mode: file.after.mode ?? undefined})
  return {txId, path: file.row.path, savedAt}
}
