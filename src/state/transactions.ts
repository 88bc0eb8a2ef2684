/**
 * Typed queries over the transaction journal (migration 2): transactions, the undo links
 * between them, their files' before and after states, the content-addressed blobs, and the
 * path locks of open transactions.
 */
import type {StateDb} from './db.js'
import {startsWith, statement} from './statement.js'

export type TxStatus = 'open' | 'committing' | 'committed' | 'rolled_back' | 'abandoned'

export interface TransactionRow {
  id: string
  task_id: string | null
  status: TxStatus
  message: string
  pid: number
  undone_by: string | null
  git_head: string | null
  git_dirty: number | null
  created_at: string
  committed_at: string | null
}

export interface TxFileRow {
  tx_id: string
  seq: number
  path: string
  op: string
  before_hash: string | null
  before_mode: number | null
  after_hash: string | null
  after_mode: number | null
  lines_added: number | null
  lines_removed: number | null
}

/** A file's state as journaled: its content's hash and its mode, both null when it does not exist. */
export interface StoredState {
  hash: string | null
  mode: number | null
}

export interface JournalEntry {
  path: string
  op: string
  before: StoredState
  after: StoredState
  beforeContent: Buffer | null
  afterContent: Buffer | null
  linesAdded: number | null
  linesRemoved: number | null
}

export type NewTransaction = Pick<TransactionRow, 'id' | 'task_id' | 'message' | 'git_head' | 'git_dirty'>

const insertTransactionRow = statement(
  `INSERT INTO transactions (id, task_id, status, message, pid, git_head, git_dirty, created_at)
   VALUES (@id, @task_id, 'open', @message, @pid, @git_head, @git_dirty, @created_at)`,
)
const insertUndoLink = statement('INSERT INTO tx_undoes (undo_tx_id, undone_tx_id) VALUES (?, ?)')
const selectUndone = statement('SELECT undone_tx_id FROM tx_undoes WHERE undo_tx_id = ?')
const selectLockHolder = statement('SELECT tx_id FROM tx_locks WHERE path = ?')
const insertLock = statement('INSERT INTO tx_locks (path, tx_id) VALUES (?, ?)')
const selectLocks = statement('SELECT path FROM tx_locks WHERE tx_id = ? ORDER BY path')
const deleteLocks = statement('DELETE FROM tx_locks WHERE tx_id = ?')
const insertBlob = statement('INSERT OR IGNORE INTO blobs (hash, size, content) VALUES (?, ?, ?)')
const insertFile = statement(
  `INSERT INTO tx_files (tx_id, seq, path, op, before_hash, before_mode, after_hash, after_mode, lines_added, lines_removed)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
)
const markCommittingRow = statement("UPDATE transactions SET status = 'committing' WHERE id = ? AND status = 'open'")
const markCommittedRow = statement("UPDATE transactions SET status = 'committed', committed_at = ? WHERE id = ?")
const markUndoneRows = statement('UPDATE transactions SET undone_by = ? WHERE id IN (SELECT undone_tx_id FROM tx_undoes WHERE undo_tx_id = ?)')
const setStatus = statement('UPDATE transactions SET status = ? WHERE id = ?')
const claimRow = statement('UPDATE transactions SET pid = ? WHERE id = ? AND pid = ? AND status = ?')
const selectTransaction = statement('SELECT * FROM transactions WHERE id = ?')
const selectByPrefix = statement("SELECT * FROM transactions WHERE id LIKE ? ESCAPE '\\' ORDER BY created_at")
const selectOfTask = statement('SELECT * FROM transactions WHERE task_id = ? ORDER BY created_at, rowid')
const selectRecent = statement('SELECT * FROM transactions ORDER BY created_at DESC, rowid DESC LIMIT ?')
const selectFiles = statement('SELECT * FROM tx_files WHERE tx_id = ? ORDER BY seq')
const selectBlob = statement('SELECT content FROM blobs WHERE hash = ?')

/** Records a new open transaction and, for an undo, which committed transactions it reverses. */
export function insertTransaction(db: StateDb, row: NewTransaction, undoes: readonly string[]): void {
  db.transaction(() => {
    insertTransactionRow(db).run({...row, pid: process.pid, created_at: new Date().toISOString()})
    for (const undone of undoes) insertUndoLink(db).run(row.id, undone)
  }).immediate()
}

/** The transactions an undo transaction reverses. */
export function undoneBy(db: StateDb, undoTxId: string): string[] {
  return (selectUndone(db).all(undoTxId) as {undone_tx_id: string}[]).map((row) => row.undone_tx_id)
}

/** Claims `path` for the transaction; returns the other transaction holding it instead, if one does. */
export function lockPath(db: StateDb, txId: string, path: string): string | undefined {
  return db
    .transaction(() => {
      const holder = selectLockHolder(db).get(path) as {tx_id: string} | undefined
      if (!holder) insertLock(db).run(path, txId)
      return holder && holder.tx_id !== txId ? holder.tx_id : undefined
    })
    .immediate()
}

export function locksOf(db: StateDb, txId: string): string[] {
  return (selectLocks(db).all(txId) as {path: string}[]).map((row) => row.path)
}

/**
 * Step one of a commit: every before and after blob, every file's states, and the status
 * `committing`, in one SQLite transaction made durable (synchronous=FULL) before any file is touched.
 */
export function journalCommit(db: StateDb, txId: string, entries: readonly JournalEntry[]): void {
  const blob = insertBlob(db)
  const file = insertFile(db)
  const previous = db.pragma('synchronous', {simple: true}) as number
  db.pragma('synchronous = FULL')
  try {
    db.transaction(() => {
      for (const [seq, entry] of entries.entries()) {
        if (entry.before.hash !== null) blob.run(entry.before.hash, entry.beforeContent!.length, entry.beforeContent)
        if (entry.after.hash !== null) blob.run(entry.after.hash, entry.afterContent!.length, entry.afterContent)
        file.run(
          txId,
          seq,
          entry.path,
          entry.op,
          entry.before.hash,
          entry.before.mode,
          entry.after.hash,
          entry.after.mode,
          entry.linesAdded,
          entry.linesRemoved,
        )
      }
      if (markCommittingRow(db).run(txId).changes !== 1) throw new Error(`Transaction ${txId} is no longer open`)
    }).immediate()
  } finally {
    db.pragma(`synchronous = ${previous}`)
  }
}

/** The last step of a commit; also records on the originals that an undo transaction reversed them. */
export function markCommitted(db: StateDb, txId: string): void {
  db.transaction(() => {
    markCommittedRow(db).run(new Date().toISOString(), txId)
    markUndoneRows(db).run(txId, txId)
    deleteLocks(db).run(txId)
  }).immediate()
}

export function markEnded(db: StateDb, txId: string, status: 'rolled_back' | 'abandoned'): void {
  db.transaction(() => {
    setStatus(db).run(status, txId)
    deleteLocks(db).run(txId)
  }).immediate()
}

/**
 * Takes over a transaction whose process died, so that of two PyAgents starting at once only
 * one recovers it. False when another process got there first.
 */
export function claimTransaction(db: StateDb, tx: Pick<TransactionRow, 'id' | 'pid' | 'status'>): boolean {
  return claimRow(db).run(process.pid, tx.id, tx.pid, tx.status).changes === 1
}

export function getTransaction(db: StateDb, txId: string): TransactionRow | undefined {
  return selectTransaction(db).get(txId) as TransactionRow | undefined
}

export function transactionsByPrefix(db: StateDb, prefix: string): TransactionRow[] {
  return selectByPrefix(db).all(startsWith(prefix)) as TransactionRow[]
}

export function transactionsOfTask(db: StateDb, taskId: string): TransactionRow[] {
  return selectOfTask(db).all(taskId) as TransactionRow[]
}

/** Prepared on each call: the placeholders follow the number of statuses asked for. */
export function transactionsWithStatus(db: StateDb, statuses: readonly TxStatus[]): TransactionRow[] {
  return db
    .prepare(`SELECT * FROM transactions WHERE status IN (${statuses.map(() => '?').join(', ')}) ORDER BY created_at, rowid`)
    .all(...statuses) as TransactionRow[]
}

export function recentTransactions(db: StateDb, limit: number): TransactionRow[] {
  return selectRecent(db).all(limit) as TransactionRow[]
}

export function txFiles(db: StateDb, txId: string): TxFileRow[] {
  return selectFiles(db).all(txId) as TxFileRow[]
}

/** A blob's content; undefined when the store lacks it. */
export function blobContent(db: StateDb, hash: string): Buffer | undefined {
  return (selectBlob(db).get(hash) as {content: Buffer} | undefined)?.content
}
