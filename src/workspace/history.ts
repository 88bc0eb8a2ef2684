/**
 * Read side of the journal for `pyagent history` and `pyagent show`: tasks, their transactions,
 * the files each touched and the lines added and removed.
 */
import {fileDiff} from './diff.js'
import {LookupError} from './errors.js'
import type {Journal} from './journal.js'
import type {StateDb} from '../state/db.js'
import {getTask} from '../state/tasks.js'
import type {TransactionRow, TxFileRow} from '../state/transactions.js'

export interface FileSummary {
  path: string
  op: string
  beforeHash: string | null
  afterHash: string | null
  beforeMode: number | null
  afterMode: number | null
  linesAdded: number | null
  linesRemoved: number | null
}

export interface TransactionSummary {
  id: string
  taskId: string | null
  status: string
  message: string
  createdAt: string
  committedAt: string | null
  undoneBy: string | null
  undoes: string[]
  gitHead: string | null
  gitDirty: boolean | null
  linesAdded: number | null
  linesRemoved: number | null
  files: FileSummary[]
}

export interface TaskSummary {
  id: string
  title: string
  status: string
  createdAt: string
  transactions: TransactionSummary[]
}

export interface History {
  tasks: TaskSummary[]
  /** Transactions made outside any task (direct API use, undo of a single transaction...). */
  untracked: TransactionSummary[]
}

function sumOrNull(values: (number | null)[]): number | null {
  return values.some((value) => value === null) ? null : values.reduce<number>((total, value) => total + value!, 0)
}

function summariseFile(row: TxFileRow): FileSummary {
  return {
    path: row.path,
    op: row.op,
    beforeHash: row.before_hash,
    afterHash: row.after_hash,
    beforeMode: row.before_mode,
    afterMode: row.after_mode,
    linesAdded: row.lines_added,
    linesRemoved: row.lines_removed,
  }
}

export function summariseTransaction(journal: Journal, tx: TransactionRow): TransactionSummary {
  const files = journal.files(tx.id).map(summariseFile)
  return {
    id: tx.id,
    taskId: tx.task_id,
    status: tx.status,
    message: tx.message,
    createdAt: tx.created_at,
    committedAt: tx.committed_at,
    undoneBy: tx.undone_by,
    undoes: journal.undoneBy(tx.id),
    gitHead: tx.git_head,
    gitDirty: tx.git_dirty === null ? null : tx.git_dirty === 1,
    linesAdded: sumOrNull(files.map((file) => file.linesAdded)),
    linesRemoved: sumOrNull(files.map((file) => file.linesRemoved)),
    files,
  }
}

/** The most recent `limit` transactions, grouped under their tasks (newest first). */
export function readHistory(db: StateDb, journal: Journal, limit = 50): History {
  const transactions = journal.recentTransactions(limit).map((tx) => summariseTransaction(journal, tx))
  const tasks = new Map<string, TaskSummary>()
  const untracked: TransactionSummary[] = []
  for (const tx of transactions) {
    if (tx.taskId === null) {
      untracked.push(tx)
      continue
    }
    let task = tasks.get(tx.taskId)
    if (!task) {
      const row = getTask(db, tx.taskId)!
      task = {id: row.id, title: row.title, status: row.status, createdAt: row.created_at, transactions: []}
      tasks.set(tx.taskId, task)
    }
    task.transactions.push(tx)
  }
  return {tasks: [...tasks.values()], untracked}
}

/** One transaction by id or unique prefix (at least 4 characters). */
export function findTransaction(journal: Journal, ref: string): TransactionRow {
  const exact = journal.transaction(ref)
  if (exact) return exact
  const matches = ref.length >= 4 ? journal.transactionsByPrefix(ref) : []
  if (matches.length === 1) return matches[0]!
  if (matches.length > 1) {
    throw new LookupError(`"${ref}" matches ${matches.length} transactions (${matches.map((tx) => tx.id.slice(0, 12)).join(', ')}); give more digits`)
  }
  throw new LookupError(`No transaction matches "${ref}" (give at least 4 characters of its id); see \`pyagent history\``)
}

/** The transaction's change as one git-style diff, rebuilt from the journaled blobs. */
export function transactionDiff(journal: Journal, txId: string): string {
  const content = (hash: string | null) => (hash === null ? null : journal.blob(hash))
  return journal
    .files(txId)
    .map((file) =>
      fileDiff(
        file.path,
        {state: {hash: file.before_hash, mode: file.before_mode}, content: content(file.before_hash)},
        {state: {hash: file.after_hash, mode: file.after_mode}, content: content(file.after_hash)},
      ),
    )
    .join('')
}
