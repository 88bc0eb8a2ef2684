/**
 * The workspace's refusals and failures. Each is an expected outcome with a message that says
 * what happened and what to do; the CLI prints it without a stack trace.
 */
export class WorkspaceError extends Error {
  override name = 'WorkspaceError'
}

/** A path the sandbox refuses: outside the root, reserved, denied by config, or disguised. */
export class PathPolicyError extends WorkspaceError {
  override name = 'PathPolicyError'
}

/** A file changed since it was read, or another open transaction holds it. */
export class CollisionError extends WorkspaceError {
  override name = 'CollisionError'
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message)
  }
}

/** An edit that cannot apply: a missing file, a binary file edited as text, a failed write. */
export class EditError extends WorkspaceError {
  override name = 'EditError'
}

/** An operation on a transaction that has already ended. */
export class TransactionStateError extends WorkspaceError {
  override name = 'TransactionStateError'
}

/** The repository is mid-merge, mid-rebase or otherwise not fit to start a task on. */
export class GitStateError extends WorkspaceError {
  override name = 'GitStateError'
}

/** A string that cannot reach git's argv as given: it holds a NUL byte, which no argument (and no file name) can. */
export class GitArgumentError extends WorkspaceError {
  override name = 'GitArgumentError'
}

/** git refused the commit of a task's changes (a hook said no, say); the files are written, uncommitted. */
export class AutoCommitError extends WorkspaceError {
  override name = 'AutoCommitError'
}

/** A transaction or task id that names nothing, or more than one thing. */
export class LookupError extends WorkspaceError {
  override name = 'LookupError'
}

/** A command the policy does not allow, or arguments it refuses. */
export class CommandPolicyError extends WorkspaceError {
  override name = 'CommandPolicyError'
}
