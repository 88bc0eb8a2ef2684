/**
 * Undo of committed work: a transaction, or every transaction of a task, is reversed by a new
 * transaction that restores the journaled before-blobs. It commits like any other (so it is
 * atomic and crash-safe) and refuses when the files changed after the commit, unless forced.
 */
import {taskIdsByPrefix} from '../state/tasks.js'
import type {TransactionRow} from '../state/transactions.js'
import {fileDiff} from './diff.js'
import {LookupError, WorkspaceError} from './errors.js'
import {ABSENT, describeState, type FileState, observe, sameState} from './file-state.js'
import {afterState, beforeState} from './journal.js'
import type {CommitResult} from './transaction.js'
import type {Workspace} from './workspace.js'

export interface DriftedFile {
  path: string
  /** The state the undone transactions left. */
  expected: FileState
  /** The state on disk now. */
  current: FileState
  expectedContent: Buffer | null
  currentContent: Buffer | null
}

/** Undo would overwrite later changes; `diff` shows them (committed state → disk). */
export class UndoRefusedError extends WorkspaceError {
  override name = 'UndoRefusedError'
  constructor(
    readonly drifted: readonly DriftedFile[],
    readonly diff: string,
  ) {
    super(
      'E_UNDO_REFUSED',
      `Refusing to undo: ${drifted.map((file) => file.path).join(', ')} changed after the commit ` +
        `(${drifted.map((file) => `${file.path}: expected ${describeState(file.expected)}, found ${describeState(file.current)}`).join('; ')}). ` +
        'Re-run with --force to restore the earlier content anyway and lose those changes.',
    )
  }
}

export interface UndoTarget {
  kind: 'transaction' | 'task'
  id: string
  transactions: TransactionRow[]
}

interface PlannedFile {
  path: string
  restore: FileState
  restoreContent: Buffer | null
  expected: FileState
}

const MIN_PREFIX = 4

/** A transaction id (or unique prefix), else a task id (or unique prefix) naming committed transactions. */
export function resolveUndoTarget(workspace: Workspace, ref: string): UndoTarget {
  const journal = workspace.journal
  if (ref.length >= MIN_PREFIX || journal.transaction(ref)) {
    const transactions = journal.transactionsByPrefix(ref)
    if (transactions.length > 1) {
      throw new LookupError(`"${ref}" matches ${transactions.length} transactions (${transactions.map((tx) => tx.id.slice(0, 12)).join(', ')}); give more digits`)
    }
    if (transactions.length === 1) {
      const tx = transactions[0]!
      if (tx.status !== 'committed') throw new LookupError(`Transaction ${tx.id} is ${tx.status.replace('_', ' ')}; only a committed transaction can be undone`)
      if (tx.undone_by) throw new LookupError(alreadyUndone(journal, tx))
      return {kind: 'transaction', id: tx.id, transactions}
    }
    const tasks = taskIdsByPrefix(workspace.db, ref)
    if (tasks.length > 1) throw new LookupError(`"${ref}" matches ${tasks.length} tasks; give more digits`)
    if (tasks.length === 1) {
      const taskId = tasks[0]!
      const live = journal.transactionsOfTask(taskId).filter((tx) => tx.status === 'committed' && !tx.undone_by && applies(journal, tx.id))
      if (live.length === 0) throw new LookupError(`Task ${taskId} has no committed transaction left to undo`)
      return {kind: 'task', id: taskId, transactions: live}
    }
  }
  throw new LookupError(`No transaction or task matches "${ref}" (at least ${MIN_PREFIX} characters); see \`pyagent history\``)
}

/**
 * Whether a transaction puts its task's changes in (rather than takes them out): an edit does;
 * an undo of it takes them out; an undo of that undo puts them back in, and so on. A task's live
 * transactions are the ones that put changes in and are not undone: what undoing the task reverses.
 */
function applies(journal: Workspace['journal'], txId: string): boolean {
  const undone = journal.undoneBy(txId)
  return undone.length === 0 || !applies(journal, undone[0]!)
}

/**
 * Why an undone transaction cannot be undone again, and where its changes are: when its undo was
 * undone in turn (and so on), they are in again, and the last transaction of that chain is the
 * one to undo.
 */
function alreadyUndone(journal: Workspace['journal'], tx: TransactionRow): string {
  let last = tx
  let undos = 0
  for (; last.undone_by; undos++) last = journal.transaction(last.undone_by)!
  if (undos % 2 === 1) return `Transaction ${tx.id} was already undone by ${tx.undone_by}`
  return (
    `Transaction ${tx.id} was undone by ${tx.undone_by}, and that undo was undone in turn: ` +
    `its changes are in again through ${last.id}; run \`pyagent undo ${last.id}\` (or undo its task) to take them out`
  )
}

/** For each path, the state before the first transaction that touched it and the state the last one left. */
function plan(workspace: Workspace, transactions: readonly TransactionRow[]): PlannedFile[] {
  const planned = new Map<string, PlannedFile>()
  for (const tx of transactions) {
    for (const file of workspace.journal.files(tx.id)) {
      const existing = planned.get(file.path)
      if (existing) {
        existing.expected = afterState(file)
        continue
      }
      const restore = beforeState(file)
      planned.set(file.path, {
        path: file.path,
        restore,
        restoreContent: restore.hash === null ? null : workspace.journal.blob(restore.hash),
        expected: afterState(file),
      })
    }
  }
  return [...planned.values()]
}

/** Files whose current state is not what the undone transactions left. */
export function findDrift(workspace: Workspace, target: UndoTarget): DriftedFile[] {
  const drifted: DriftedFile[] = []
  for (const file of plan(workspace, target.transactions)) {
    const current = observe(`${workspace.root}/${file.path}`)
    if (sameState(current, file.expected)) continue
    drifted.push({
      path: file.path,
      expected: file.expected,
      current: {hash: current.hash, mode: current.mode},
      expectedContent: file.expected.hash === null ? null : workspace.journal.blob(file.expected.hash),
      currentContent: current.content,
    })
  }
  return drifted
}

/** What changed in each file since the commit that undo would reverse: committed state → disk. */
function renderDrift(drifted: readonly DriftedFile[]): string {
  return drifted
    .map((file) =>
      fileDiff(file.path, {state: file.expected, content: file.expectedContent}, {state: file.current, content: file.currentContent}),
    )
    .join('')
}

export interface UndoOptions {
  force?: boolean
}

export interface UndoResult {
  target: UndoTarget
  commit: CommitResult
  /** Files that had changed after the commit and were overwritten because of --force. */
  overwritten: string[]
}

export async function undo(workspace: Workspace, ref: string, options: UndoOptions = {}): Promise<UndoResult> {
  const target = resolveUndoTarget(workspace, ref)
  const drifted = findDrift(workspace, target)
  if (drifted.length > 0 && !options.force) throw new UndoRefusedError(drifted, renderDrift(drifted))
  const driftedByPath = new Map(drifted.map((file) => [file.path, file]))
  const first = target.transactions[0]!
  const tx = workspace.begin({
    taskId: first.task_id ?? undefined,
    message: `undo ${target.kind} ${target.id}`,
    undoes: target.transactions.map((undone) => undone.id),
  })
  try {
    for (const file of plan(workspace, target.transactions)) {
      const expected = driftedByPath.get(file.path)?.current ?? file.expected
      const op = file.restore.hash === null ? 'undo (delete)' : expected.hash === null ? 'undo (recreate)' : 'undo (restore)'
      tx.stageState(file.path, op, expected, file.restore.hash === null ? ABSENT : file.restore, file.restoreContent)
    }
  } catch (error) {
    tx.rollback()
    throw error
  }
  const commit = await tx.commit()
  return {target, commit, overwritten: drifted.map((file) => file.path)}
}
