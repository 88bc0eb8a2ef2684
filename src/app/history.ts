/**
 * `pyagent history` and `pyagent show`, wired once for the CLI and the MCP server: the state
 * database opened for reading (where PyAgent never ran, an empty history), closed again.
 */
import {openStateForReading} from '../state/db.js'
import {LookupError} from '../workspace/errors.js'
import {findTransaction, type History, readHistory, summariseTransaction, transactionDiff} from '../workspace/history.js'
import {Journal} from '../workspace/journal.js'

export function taskHistory(root: string, limit: number): History {
  const db = openStateForReading(root)
  if (!db) return {tasks: [], untracked: []}
  try {
    return readHistory(db, new Journal(db), limit)
  } finally {
    db.close()
  }
}

/** One transaction, by id or a unique prefix, with its diff. */
export function showTransaction(root: string, ref: string) {
  const db = openStateForReading(root)
  if (!db) throw new LookupError(`No transaction matches "${ref}": PyAgent has made none in this repository`)
  try {
    const journal = new Journal(db)
    const summary = summariseTransaction(journal, findTransaction(journal, ref))
    return {...summary, diff: transactionDiff(journal, summary.id)}
  } finally {
    db.close()
  }
}

export type ShownTransaction = ReturnType<typeof showTransaction>
