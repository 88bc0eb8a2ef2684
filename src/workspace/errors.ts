/**
 * The workspace's refusals and failures. Each is an expected outcome with a message that says
 * what happened and what to do; the CLI prints it without a stack trace.
 */
import {type ErrorCode, PyAgentError} from '../errors.js'

export abstract class WorkspaceError extends PyAgentError {}

/** A path the sandbox refuses: outside the root, reserved, denied by config, or disguised. */
export class PathPolicyError extends WorkspaceError {
  override name = 'PathPolicyError'
  constructor(message: string) {
    super('E_PATH_REFUSED', message)
  }
}

/** A file changed since it was read (E_TX_COLLISION), or another open transaction holds it (E_TX_LOCKED). */
export class CollisionError extends WorkspaceError {
  override name = 'CollisionError'
  constructor(
    readonly path: string,
    message: string,
    code: Extract<ErrorCode, 'E_TX_COLLISION' | 'E_TX_LOCKED'> = 'E_TX_COLLISION',
  ) {
    super(code, message)
  }
}

/** An edit that cannot apply: a missing file, a binary file edited as text, a failed write. */
export class EditError extends WorkspaceError {
  override name = 'EditError'
  constructor(message: string, options?: ErrorOptions) {
    super('E_EDIT_FAILED', message, options)
  }
}

/** An operation on a transaction that has already ended. */
export class TransactionStateError extends WorkspaceError {
  override name = 'TransactionStateError'
  constructor(message: string) {
    super('E_TX_ENDED', message)
  }
}

/** The repository is mid-merge, mid-rebase or otherwise not fit to start a task on. */
export class GitStateError extends WorkspaceError {
  override name = 'GitStateError'
  constructor(message: string) {
    super('E_GIT_STATE', message)
  }
}

/** A string that cannot reach git's argv as given: it holds a NUL byte, which no argument (and no file name) can. */
export class GitArgumentError extends WorkspaceError {
  override name = 'GitArgumentError'
  constructor(message: string) {
    super('E_GIT_ARGUMENT', message)
  }
}

/** git refused the commit of a task's changes (a hook said no, say); the files are written, uncommitted. */
export class AutoCommitError extends WorkspaceError {
  override name = 'AutoCommitError'
  constructor(message: string) {
    super('E_GIT_COMMIT', message)
  }
}

/** A transaction or task id that names nothing, or more than one thing. */
export class LookupError extends WorkspaceError {
  override name = 'LookupError'
  constructor(message: string) {
    super('E_LOOKUP', message)
  }
}

/** A command the policy does not allow, or arguments it refuses. */
export class CommandPolicyError extends WorkspaceError {
  override name = 'CommandPolicyError'
  constructor(message: string) {
    super('E_COMMAND_REFUSED', message)
  }
}
