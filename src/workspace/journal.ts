/**
 * The transaction journal in SQLite (migration 2): transactions, their files' before and after
 * states, the content-addressed blobs, and the path locks that keep two open transactions
 * from editing the same file.
 */
import type {StateDb} from '../state/db.js'
import {CollisionError} from './errors.js'
import type {FileState} from './file-state.js'

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

export interface JournalEntry {
  path: string
  op: string
  before: FileState
  after: FileState
  beforeContent: Buffer | null
  afterContent: Buffer | null
  linesAdded: number | null
  linesRemoved: number | null
}

export function beforeState(row: TxFileRow): FileState {
  return {hash: row.before_hash, mode: row.before_mode}
}

export function afterState(row: TxFileRow): FileState {
  return {hash: row.after_hash, mode: row.after_mode}
}

export class Journal {
  constructor(readonly db: StateDb) {}

  /** Records a new open transaction and, for an undo, which committed transactions it reverses. */
  insertTransaction(row: Pick<TransactionRow, 'id' | 'task_id' | 'message' | 'git_head' | 'git_dirty'>, undoes: readonly string[] = []): void {
    this.db
      .transaction(() => {
        this.db
          .prepare(
            `INSERT INTO transactions (id, task_id, status, message, pid, git_head, git_dirty, created_at)
             VALUES (@id, @task_id, 'open', @message, @pid, @git_head, @git_dirty, @created_at)`,
          )
          .run({...row, pid: process.pid, created_at: new Date().toISOString()})
        const link = this.db.prepare('INSERT INTO tx_undoes (undo_tx_id, undone_tx_id) VALUES (?, ?)')
        for (const undone of undoes) link.run(row.id, undone)
      })
      .immediate()
  }

  /** The transactions an undo transaction reverses. */
  undoneBy(undoTxId: string): string[] {
    return (this.db.prepare('SELECT undone_tx_id FROM tx_undoes WHERE undo_tx_id = ?').all(undoTxId) as {undone_tx_id: string}[]).map(
      (row) => row.undone_tx_id,
    )
  }

  /** Claims `path` for the transaction; throws a CollisionError when another open transaction holds it. */
  lock(txId: string, path: string): void {
    this.db
      .transaction(() => {
        const holder = this.db.prepare('SELECT tx_id FROM tx_locks WHERE path = ?').get(path) as {tx_id: string} | undefined
        if (holder && holder.tx_id !== txId) {
          throw new CollisionError(path, `${path} is being edited by another open transaction (${holder.tx_id}); commit or roll it back first`, 'E_TX_LOCKED')
        }
        if (!holder) this.db.prepare('INSERT INTO tx_locks (path, tx_id) VALUES (?, ?)').run(path, txId)
      })
      .immediate()
  }

  locksOf(txId: string): string[] {
    return (this.db.prepare('SELECT path FROM tx_locks WHERE tx_id = ? ORDER BY path').all(txId) as {path: string}[]).map(
      (row) => row.path,
    )
  }

  /**
   * Step one of a commit: every before and after blob, every file's states, and the status
   * `committing`, in one SQLite transaction made durable (synchronous=FULL) before any file is touched.
   */
  journalCommit(txId: string, entries: readonly JournalEntry[]): void {
    const insertBlob = this.db.prepare('INSERT OR IGNORE INTO blobs (hash, size, content) VALUES (?, ?, ?)')
    const insertFile = this.db.prepare(
      `INSERT INTO tx_files (tx_id, seq, path, op, before_hash, before_mode, after_hash, after_mode, lines_added, lines_removed)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    const previous = this.db.pragma('synchronous', {simple: true}) as number
    this.db.pragma('synchronous = FULL')
    try {
      this.db
        .transaction(() => {
          for (const [seq, entry] of entries.entries()) {
            if (entry.before.hash !== null) insertBlob.run(entry.before.hash, entry.beforeContent!.length, entry.beforeContent)
            if (entry.after.hash !== null) insertBlob.run(entry.after.hash, entry.afterContent!.length, entry.afterContent)
            insertFile.run(
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
          const changed = this.db.prepare("UPDATE transactions SET status = 'committing' WHERE id = ? AND status = 'open'").run(txId)
          if (changed.changes !== 1) throw new Error(`Transaction ${txId} is no longer open`)
        })
        .immediate()
    } finally {
      this.db.pragma(`synchronous = ${previous}`)
    }
  }

  /** The last step of a commit; also records on the originals that an undo transaction reversed them. */
  markCommitted(txId: string): void {
    this.db
      .transaction(() => {
        this.db
          .prepare("UPDATE transactions SET status = 'committed', committed_at = ? WHERE id = ?")
          .run(new Date().toISOString(), txId)
        this.db
          .prepare('UPDATE transactions SET undone_by = ? WHERE id IN (SELECT undone_tx_id FROM tx_undoes WHERE undo_tx_id = ?)')
          .run(txId, txId)
        this.db.prepare('DELETE FROM tx_locks WHERE tx_id = ?').run(txId)
      })
      .immediate()
  }

  markEnded(txId: string, status: 'rolled_back' | 'abandoned'): void {
    this.db
      .transaction(() => {
        this.db.prepare('UPDATE transactions SET status = ? WHERE id = ?').run(status, txId)
        this.db.prepare('DELETE FROM tx_locks WHERE tx_id = ?').run(txId)
      })
      .immediate()
  }

  /**
   * Takes over a transaction whose process died, so that of two PyAgents starting at once only
   * one recovers it. False when another process got there first.
   */
  claim(tx: Pick<TransactionRow, 'id' | 'pid' | 'status'>): boolean {
    return (
      this.db.prepare('UPDATE transactions SET pid = ? WHERE id = ? AND pid = ? AND status = ?').run(process.pid, tx.id, tx.pid, tx.status)
        .changes === 1
    )
  }

  transaction(txId: string): TransactionRow | undefined {
    return this.db.prepare('SELECT * FROM transactions WHERE id = ?').get(txId) as TransactionRow | undefined
  }

  /** Transactions whose id starts with `prefix` (ids are UUIDs; people type the first few digits). */
  transactionsByPrefix(prefix: string): TransactionRow[] {
    return this.db
      .prepare("SELECT * FROM transactions WHERE id LIKE ? ESCAPE '\\' ORDER BY created_at")
      .all(`${prefix.replace(/[\\%_]/g, (char) => `\\${char}`)}%`) as TransactionRow[]
  }

  transactionsOfTask(taskId: string): TransactionRow[] {
    return this.db.prepare('SELECT * FROM transactions WHERE task_id = ? ORDER BY created_at, rowid').all(taskId) as TransactionRow[]
  }

  transactionsWithStatus(statuses: readonly TxStatus[]): TransactionRow[] {
    return this.db
      .prepare(`SELECT * FROM transactions WHERE status IN (${statuses.map(() => '?').join(', ')}) ORDER BY created_at, rowid`)
      .all(...statuses) as TransactionRow[]
  }

  recentTransactions(limit: number): TransactionRow[] {
    return this.db
      .prepare('SELECT * FROM transactions ORDER BY created_at DESC, rowid DESC LIMIT ?')
      .all(limit) as TransactionRow[]
  }

  files(txId: string): TxFileRow[] {
    return this.db.prepare('SELECT * FROM tx_files WHERE tx_id = ? ORDER BY seq').all(txId) as TxFileRow[]
  }

  blob(hash: string): Buffer {
    const row = this.db.prepare('SELECT content FROM blobs WHERE hash = ?').get(hash) as {content: Buffer} | undefined
    if (!row) throw new Error(`The blob store lacks ${hash}; .pyagent/state.db is damaged`)
    return row.content
  }
}
