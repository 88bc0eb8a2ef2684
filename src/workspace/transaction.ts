/**
 * A workspace transaction: edits are staged in memory against the hash each file had when it was
 * read, then committed all together or not at all.
 *
 * Commit order (the crash-safety argument lives here and in recovery.ts):
 *  1. every staged file is re-read; a hash that moved since it was read is a collision and the
 *     transaction ends before any file is touched;
 *  2. every before and after blob and the status `committing` are journaled in one durable
 *     SQLite transaction;
 *  3. each file is written to a temp file, fsynced, renamed over the target, directories fsynced;
 *  4. the status becomes `committed`.
 * A crash before 2 leaves every file as it was; after 2, recovery rolls the journal forward once
 * any file has reached its after state, and back otherwise (recovery.ts).
 */
import {randomUUID} from 'node:crypto'

import {blake3} from '../native.js'
import type {JournalEntry} from '../state/transactions.js'
import {applyStates, removeTempFiles, type StateChange} from './apply.js'
import {ABSENT, describeState, type FileState, NEW_FILE_MODE, observe, sameState} from './file-state.js'
import {CollisionError, EditError, TransactionStateError} from './errors.js'
import type {Journal} from './journal.js'
import {isBinary, type PathGuard} from './paths.js'

export interface BeginOptions {
  taskId?: string
  message?: string
  /** The committed transactions this one reverses (set by undo). */
  undoes?: readonly string[]
  git?: {head: string | null; dirty: boolean}
}

export interface StagedFile {
  path: string
  op: string
  before: FileState
  after: FileState
  content: Buffer | null
}

export interface CommitResult {
  id: string
  files: {path: string; op: string; before: FileState; after: FileState}[]
}

/** Counts lines added and removed; supplied by the diff engine so the journal can answer `history` cheaply. */
export type LineCounter = (before: Buffer | null, after: Buffer | null) => {added: number; removed: number} | null

export class Transaction {
  readonly id = randomUUID()
  private status: 'open' | 'committed' | 'rolled_back' = 'open'
  private readonly bases = new Map<string, FileState>()
  private readonly staged = new Map<string, StagedFile>()

  constructor(
    private readonly guard: PathGuard,
    private readonly journal: Journal,
    readonly options: BeginOptions = {},
    private readonly countLines: LineCounter = () => null,
  ) {
    journal.insertTransaction(
      {
        id: this.id,
        task_id: options.taskId ?? null,
        message: options.message ?? '',
        git_head: options.git?.head ?? null,
        git_dirty: options.git === undefined ? null : Number(options.git.dirty),
      },
      options.undoes,
    )
  }

  /** The file's content as this transaction sees it (staged edits included); records its hash for collision detection. */
  read(path: string): Buffer {
    const {relative, absolute} = this.guard.resolve(path)
    const staged = this.staged.get(relative)
    if (staged) {
      if (staged.content === null) throw new EditError(`${relative} is deleted in this transaction`)
      return staged.content
    }
    const observed = observe(absolute)
    if (observed.content === null) throw new EditError(`${relative} does not exist`)
    if (!this.bases.has(relative)) this.bases.set(relative, {hash: observed.hash, mode: observed.mode})
    return observed.content
  }

  /** Like read, for text: a binary file is refused rather than mangled. */
  readText(path: string): string {
    const content = this.read(path)
    if (isBinary(content)) throw new EditError(`${this.guard.resolve(path).relative} is a binary file; it cannot be read or edited as text`)
    return content.toString('utf8')
  }

  /** Replaces (or creates) the file. A string is text: writing it over a binary file is refused. */
  write(path: string, content: string | Buffer): void {
    const relative = this.resolve(path)
    const current = this.currentContent(relative)
    if (typeof content === 'string' && current !== null && isBinary(current)) {
      throw new EditError(`${relative} is a binary file; it cannot be edited as text`)
    }
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
    const mode = this.currentState(relative).mode ?? NEW_FILE_MODE
    this.stage(relative, current === null ? 'create' : 'write', {hash: blake3(bytes), mode}, bytes)
  }

  delete(path: string): void {
    const relative = this.resolve(path)
    if (this.currentContent(relative) === null) throw new EditError(`${relative} does not exist`)
    this.stage(relative, 'delete', ABSENT, null)
  }

  /**
   * Stages `after` for a path whose expected current state is given rather than read: undo uses it
   * to reverse a committed transaction against the state that transaction left.
   */
  stageState(path: string, op: string, expected: FileState, after: FileState, content: Buffer | null): void {
    const relative = this.resolve(path)
    if (!this.bases.has(relative)) this.bases.set(relative, expected)
    this.stage(relative, op, after, content)
  }

  /** What is staged, in staging order; files staged back to their original state are left out. */
  changes(): StagedFile[] {
    return [...this.staged.values()].filter((file) => !sameState(file.before, file.after))
  }

  /** Drops everything staged and releases the files. */
  rollback(): void {
    this.assertOpen()
    this.staged.clear()
    this.status = 'rolled_back'
    this.journal.markEnded(this.id, 'rolled_back')
  }

  async commit(): Promise<CommitResult> {
    this.assertOpen()
    const entries = this.verify()
    try {
      this.journal.journalCommit(this.id, entries)
    } catch (error) {
      this.endQuietly()
      throw new EditError(`Commit of ${this.id} could not be journaled, so nothing was written: ${(error as Error).message}`, {cause: error})
    }
    const forward: StateChange[] = entries.map((entry) => ({path: entry.path, target: entry.after, content: entry.afterContent, current: entry.before}))
    try {
      await applyStates(this.guard.root, this.id, forward)
      this.journal.markCommitted(this.id)
    } catch (error) {
      await this.undoPartialApply(entries, error as Error)
    }
    this.status = 'committed'
    return {id: this.id, files: entries.map(({path, op, before, after}) => ({path, op, before, after}))}
  }

  /** Step 1 of commit: every file must still be as it was read, or nothing is written. */
  private verify(): JournalEntry[] {
    const entries: JournalEntry[] = []
    for (const file of this.changes()) {
      const current = observe(`${this.guard.root}/${file.path}`)
      if (!sameState(current, file.before)) {
        this.rollback()
        throw new CollisionError(
          file.path,
          `${file.path} changed since it was read (expected ${describeState(file.before)}, found ${describeState(current)}); ` +
            'transaction rolled back, nothing was written. Read the file again and redo the edit.',
        )
      }
      const lines = this.countLines(current.content, file.content)
      entries.push({
        path: file.path,
        op: file.op,
        before: file.before,
        after: file.after,
        beforeContent: current.content,
        afterContent: file.content,
        linesAdded: lines?.added ?? null,
        linesRemoved: lines?.removed ?? null,
      })
    }
    return entries
  }

  /**
   * A failure after the journal (disk full, permissions, the final status not recorded): every file
   * goes back to its before state and the temp files go, then the failure is reported. Recovery
   * rolls back a `committing` transaction none of whose files is in its after state, so even when
   * the journal cannot record the rollback, no later start lands what this run said failed.
   */
  private async undoPartialApply(entries: readonly JournalEntry[], cause: Error): Promise<never> {
    const paths = entries.map((entry) => entry.path)
    const backward = entries.map((entry) => ({path: entry.path, target: entry.before, content: entry.beforeContent}))
    try {
      // Our temp files first: on a full disk they hold the space the restore needs.
      removeTempFiles(this.guard.root, this.id, paths)
      await applyStates(this.guard.root, this.id, backward)
    } catch (restoreError) {
      removeTempFilesQuietly(this.guard.root, this.id, paths)
      throw new EditError(
        `Commit of ${this.id} failed (${cause.message}) and restoring the files failed too (${(restoreError as Error).message}); ` +
          'the transaction stays `committing`: the next pyagent command in this repository finishes it from the journal.',
        {cause},
      )
    }
    removeTempFilesQuietly(this.guard.root, this.id, paths)
    this.endQuietly()
    throw new EditError(`Commit of ${this.id} failed and was rolled back, every file is as before: ${cause.message}`, {cause})
  }

  /** Marks the transaction rolled back; when the journal cannot say so (a full disk), recovery will (see undoPartialApply). */
  private endQuietly(): void {
    this.status = 'rolled_back'
    try {
      this.journal.markEnded(this.id, 'rolled_back')
    } catch {
      // The row stays `open` or `committing` with no file changed; recovery ends it the same way.
    }
  }

  private assertOpen(): void {
    if (this.status !== 'open') throw new TransactionStateError(`Transaction ${this.id} is ${this.status.replace('_', ' ')}`)
  }

  private resolve(path: string): string {
    this.assertOpen()
    return this.guard.resolve(path).relative
  }

  /** The state this transaction believes the file has now (its own staged edits included). */
  private currentState(relative: string): FileState {
    return this.staged.get(relative)?.after ?? this.base(relative)
  }

  private currentContent(relative: string): Buffer | null {
    const staged = this.staged.get(relative)
    if (staged) return staged.content
    const known = this.bases.get(relative)
    const observed = observe(`${this.guard.root}/${relative}`)
    if (!known) {
      this.bases.set(relative, {hash: observed.hash, mode: observed.mode})
      return observed.content
    }
    if (!sameState(observed, known)) {
      throw new CollisionError(relative, `${relative} changed since this transaction read it; read it again before editing`)
    }
    return observed.content
  }

  private base(relative: string): FileState {
    let base = this.bases.get(relative)
    if (!base) {
      const observed = observe(`${this.guard.root}/${relative}`)
      base = {hash: observed.hash, mode: observed.mode}
      this.bases.set(relative, base)
    }
    return base
  }

  private stage(relative: string, op: string, after: FileState, content: Buffer | null): void {
    this.journal.lock(this.id, relative)
    const existing = this.staged.get(relative)
    const before = existing?.before ?? this.base(relative)
    this.staged.set(relative, {path: relative, op, before, after, content})
  }
}

/** Removing a temp file must not hide the failure being reported. */
function removeTempFilesQuietly(root: string, txId: string, paths: readonly string[]): void {
  try {
    removeTempFiles(root, txId, paths)
  } catch {
    // Recovery removes what is left at the next start.
  }
}
