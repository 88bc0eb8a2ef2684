/**
 * The workspace's view of the transaction journal (state/transactions.ts): a transaction's
 * record, its path locks, the two steps of its commit and its files' before and after states.
 */
import type {StateDb} from '../state/db.js'
import * as transactions from '../state/transactions.js'
import type {JournalEntry, TransactionRow, TxFileRow, TxStatus} from '../state/transactions.js'
import {CollisionError} from './errors.js'
import type {FileState} from './file-state.js'

export function beforeState(row: TxFileRow): FileState {
  return {hash: row.before_hash, mode: row.before_mode}
}

export function afterState(row: TxFileRow): FileState {
  return {hash: row.after_hash, mode: row.after_mode}
}

export class Journal {
  constructor(readonly db: StateDb) {}

  /** Records a new open transaction and, for an undo, which committed transactions it reverses. */
  insertTransaction(row: transactions.NewTransaction, undoes: readonly string[] = []): void {
    transactions.insertTransaction(this.db, row, undoes)
  }

  /** The transactions an undo transaction reverses. */
  undoneBy(undoTxId: string): string[] {
    return transactions.undoneBy(this.db, undoTxId)
  }

  /** Claims `path` for the transaction; throws a CollisionError when another open transaction holds it. */
  lock(txId: string, path: string): void {
    const holder = transactions.lockPath(this.db, txId, path)
    if (holder !== undefined) {
      throw new CollisionError(path, `${path} is being edited by another open transaction (${holder}); commit or roll it back first`, 'E_TX_LOCKED')
    }
  }

  locksOf(txId: string): string[] {
    return transactions.locksOf(this.db, txId)
  }

  /** Step one of a commit, made durable before any file is touched. */
  journalCommit(txId: string, entries: readonly JournalEntry[]): void {
    transactions.journalCommit(this.db, txId, entries)
  }

  /** The last step of a commit; also records on the originals that an undo transaction reversed them. */
  markCommitted(txId: string): void {
    transactions.markCommitted(this.db, txId)
  }

  markEnded(txId: string, status: 'rolled_back' | 'abandoned'): void {
    transactions.markEnded(this.db, txId, status)
  }

  /** Takes over a transaction whose process died; false when another process got there first. */
  claim(tx: Pick<TransactionRow, 'id' | 'pid' | 'status'>): boolean {
    return transactions.claimTransaction(this.db, tx)
  }

  transaction(txId: string): TransactionRow | undefined {
    return transactions.getTransaction(this.db, txId)
  }

  /** Transactions whose id starts with `prefix` (ids are UUIDs; people type the first few digits). */
  transactionsByPrefix(prefix: string): TransactionRow[] {
    return transactions.transactionsByPrefix(this.db, prefix)
  }

  transactionsOfTask(taskId: string): TransactionRow[] {
    return transactions.transactionsOfTask(this.db, taskId)
  }

  transactionsWithStatus(statuses: readonly TxStatus[]): TransactionRow[] {
    return transactions.transactionsWithStatus(this.db, statuses)
  }

  recentTransactions(limit: number): TransactionRow[] {
    return transactions.recentTransactions(this.db, limit)
  }

  files(txId: string): TxFileRow[] {
    return transactions.txFiles(this.db, txId)
  }

  blob(hash: string): Buffer {
    const content = transactions.blobContent(this.db, hash)
    if (content === undefined) throw new Error(`The blob store lacks ${hash}; .pyagent/state.db is damaged`)
    return content
  }
}
