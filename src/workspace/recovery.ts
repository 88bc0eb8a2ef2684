/**
 * Crash recovery, run when a command starts in a repository (src/cli/base.ts) and whenever a
 * workspace is opened. A transaction whose process died while `committing` has every before-
 * and after-blob journaled, so it is rolled forward: each file is put into its after state
 * (files already there are left alone), leftover temp files are removed, and it is marked
 * committed. If that cannot be done (a directory it needs has become a file, say), it is rolled
 * back to the before states instead. One that died while `open` wrote nothing; it is marked
 * abandoned and its locks are released.
 */
import {existsSync, realpathSync} from 'node:fs'

import type {StateDb} from '../state/db.js'
import {applyStates, removeTempFiles} from './apply.js'
import {afterState, beforeState, Journal, type TxFileRow} from './journal.js'
import {stateDbPath} from './repo.js'

export interface RecoveryReport {
  rolledForward: string[]
  rolledBack: string[]
  abandoned: string[]
  failed: {id: string; error: string}[]
}

/** A process we cannot signal for lack of permission still exists. */
function isAlive(pid: number): boolean {
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
 */
async function existingState(repoRoot: string): Promise<StateDb | undefined> {
  if (!existsSync(stateDbPath(repoRoot))) return undefined
  const {openState} = await import('../state/db.js')
  return openState(repoRoot)
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
    return Object.values(report).some((ids) => ids.length > 0) ? report : undefined
  } finally {
    db.close()
  }
}

export async function recover(root: string, journal: Journal): Promise<RecoveryReport> {
  const report: RecoveryReport = {rolledForward: [], rolledBack: [], abandoned: [], failed: []}
  for (const tx of interrupted(journal)) {
    if (!journal.claim(tx)) continue
    if (tx.status === 'open') {
      journal.markEnded(tx.id, 'abandoned')
      report.abandoned.push(tx.id)
      continue
    }
    const files = journal.files(tx.id)
    const paths = files.map((file) => file.path)
    try {
      await applyStates(root, tx.id, changesTo(journal, files, 'after'))
      removeTempFiles(root, tx.id, paths)
      journal.markCommitted(tx.id)
      report.rolledForward.push(tx.id)
    } catch (forwardError) {
      try {
        await applyStates(root, tx.id, changesTo(journal, files, 'before'))
        removeTempFiles(root, tx.id, paths)
        journal.markEnded(tx.id, 'rolled_back')
        report.rolledBack.push(tx.id)
      } catch (backwardError) {
        report.failed.push({
          id: tx.id,
          error: `rolling forward failed (${(forwardError as Error).message}), and so did rolling back (${(backwardError as Error).message})`,
        })
      }
    }
  }
  return report
}

function changesTo(journal: Journal, files: readonly TxFileRow[], side: 'before' | 'after') {
  return files.map((file) => {
    const target = side === 'after' ? afterState(file) : beforeState(file)
    return {path: file.path, target, content: target.hash === null ? null : journal.blob(target.hash)}
  })
}
