/**
 * What can go wrong with a repository's state database, said in terms a person can act on.
 * SQLite's own messages ("file is not a database", "database or disk is full") name neither
 * PyAgent, nor the file, nor a remedy.
 */
import {type ErrorCode, PyAgentError} from '../errors.js'

export type StateErrorCode = Extract<ErrorCode, `E_STATE_${string}`>

export class StateDbError extends PyAgentError {
  override name = 'StateDbError'
  constructor(
    override readonly code: StateErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options)
  }
}

/** A database written by a newer PyAgent. */
export class StateSchemaError extends StateDbError {
  override name = 'StateSchemaError'
  constructor(message: string) {
    super('E_STATE_NEWER_SCHEMA', message)
  }
}

/** The command that moves a damaged database aside and starts a fresh one. */
export const REPAIR_COMMAND = 'pyagent doctor --repair'

function sqliteCode(error: unknown): string | undefined {
  const code = (error as {code?: unknown} | null)?.code
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined
}

/** Whether SQLite says the file itself is damaged or not a database at all. */
export function isCorruption(error: unknown): boolean {
  const code = sqliteCode(error)
  return code !== undefined && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
}

/**
 * The SQLite error `error`, told as a StateDbError about the database at `path`; undefined for
 * anything that is not an SQLite error (or already a StateDbError).
 */
export function stateDbError(error: unknown, path: string): StateDbError | undefined {
  if (error instanceof StateDbError) return error
  const code = sqliteCode(error)
  if (code === undefined) return undefined
  const cause = (error as Error).message
  const options = {cause: error}
  if (isCorruption(error)) {
    return new StateDbError(
      'E_STATE_CORRUPT',
      `PyAgent's state database ${path} is damaged (${cause}). \`${REPAIR_COMMAND}\` keeps a copy of it beside it and starts a fresh one; ` +
        'the history and undo records of earlier tasks stay in that copy. Your repository\'s files are not affected.',
      options,
    )
  }
  if (code === 'SQLITE_FULL') {
    return new StateDbError('E_STATE_DISK_FULL', `The disk holding ${path} is full (${cause}); PyAgent could not record its state. Free some space and run the command again.`, options)
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    return new StateDbError(
      'E_STATE_READ_ONLY',
      `PyAgent cannot write its state database ${path} (${cause}): the repository or its .pyagent/ folder is read-only to this user. ` +
        'Run PyAgent as a user who can write there, or on a writable copy of the repository.',
      options,
    )
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StateDbError('E_STATE_BUSY', `Another PyAgent process has held ${path} locked for too long (${cause}); wait for it to finish and run again.`, options)
  }
  return new StateDbError('E_STATE_IO', `PyAgent's state database ${path} could not be used (${code}: ${cause}). Check the disk, then run \`pyagent doctor\`.`, options)
}
