/**
 * The entry point of the transactional workspace: opens the state database and hands out
 * transactions guarded by the workspace's path policy. Crash recovery is not its job: each
 * entry point (the CLI's init, see cli/base.ts) runs `recoverRepository` once, before anything
 * opens a workspace, so a command repairs once however many workspaces it opens.
 */
import {openState, type StateDb} from '../state/db.js'
import {countChangedLines} from './diff.js'
import {Journal} from './journal.js'
import {PathGuard} from './paths.js'
import {type BeginOptions, type LineCounter, Transaction} from './transaction.js'

export interface WorkspaceOptions {
  /** Globs (relative to the root) that tools may not read or edit, on top of .git/ and .pyagent/. */
  denyPaths?: readonly string[]
  /** An already open state database; by default `<root>/.pyagent/state.db`, closed with the workspace. */
  db?: StateDb
  /** Counts lines added and removed for `history`; default: the native line diff. */
  countLines?: LineCounter
}

export class Workspace {
  readonly guard: PathGuard
  readonly journal: Journal

  private constructor(
    readonly root: string,
    readonly db: StateDb,
    private readonly ownsDb: boolean,
    private readonly options: WorkspaceOptions,
  ) {
    this.guard = new PathGuard(root, options.denyPaths)
    this.journal = new Journal(db)
  }

  static open(root: string, options: WorkspaceOptions = {}): Workspace {
    const db = options.db ?? openState(root)
    try {
      return new Workspace(new PathGuard(root, options.denyPaths).root, db, options.db === undefined, options)
    } catch (error) {
      if (options.db === undefined) db.close()
      throw error
    }
  }

  begin(options: BeginOptions = {}): Transaction {
    return new Transaction(this.guard, this.journal, options, this.options.countLines ?? countChangedLines)
  }

  close(): void {
    if (this.ownsDb) this.db.close()
  }
}
