/**
 * Crash recovery, run every time a workspace is opened. A transaction whose process died while
 * `committing` has every after-blob journaled, so it is rolled forward: each file is put into
 * its after state (files already there are left alone), leftover temp files are removed, and it
 * is marked committed. One that died while `open` wrote nothing; it is marked abandoned and
 * its locks are released.
 */
import {applyStates, removeTempFiles} from './apply.js'
import {afterState, type Journal} from './journal.js'

export interface RecoveryReport {
  rolledForward: string[]
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

export async function recover(root: string, journal: Journal): Promise<RecoveryReport> {
  const report: RecoveryReport = {rolledForward: [], abandoned: [], failed: []}
  for (const tx of journal.transactionsWithStatus(['open', 'committing'])) {
    if (isAlive(tx.pid) || !journal.claim(tx)) continue
    if (tx.status === 'open') {
      journal.markEnded(tx.id, 'abandoned')
      report.abandoned.push(tx.id)
      continue
    }
    const files = journal.files(tx.id)
    try {
      await applyStates(
        root,
        tx.id,
        files.map((file) => ({
          path: file.path,
          target: afterState(file),
          content: file.after_hash === null ? null : journal.blob(file.after_hash),
        })),
      )
      removeTempFiles(
        root,
        tx.id,
        files.map((file) => file.path),
      )
      journal.markCommitted(tx.id)
      report.rolledForward.push(tx.id)
    } catch (error) {
      report.failed.push({id: tx.id, error: (error as Error).message})
    }
  }
  return report
}
