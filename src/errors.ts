/**
 * PyAgent's one error base. Every error a person or a script can see carries a stable `code`
 * from this table: `--json` prints it, callers branch on it, and nobody matches on message text
 * or class names (which bundlers rename and translations would change). A leaf: it imports
 * nothing, so the pre-commit hook's bundle and every layer can test `instanceof PyAgentError`
 * without loading the module that throws.
 */
export const ERROR_CODES = {
  E_CONFIG_INVALID: 'A setting has a value its schema refuses, or a config file cannot be read or parsed.',
  E_NATIVE_MODULE: 'The Rust module (native/index.node) is missing or was built for another Node.',
  E_MODEL: 'A model for the embedded engine cannot be fetched, verified, found or loaded.',
  E_NO_ENDPOINT: 'No LLM endpoint answered (and, for `pyagent run`, no embedded model is cached to stand in).',
  E_STATE_CORRUPT: 'The state database is damaged; `pyagent doctor --repair` keeps a copy and starts a fresh one.',
  E_STATE_DISK_FULL: 'The disk holding the state database is full.',
  E_STATE_READ_ONLY: 'The state database or its folder cannot be written by this user.',
  E_STATE_BUSY: 'Another PyAgent process held the state database locked for too long.',
  E_STATE_IO: 'Any other failure of the state database.',
  E_STATE_NEWER_SCHEMA: 'The state database was written by a newer PyAgent.',
  E_PATH_REFUSED: 'A path outside the repository, reserved (.git/, .pyagent/) or denied by `denyPaths`.',
  E_TX_COLLISION: 'A file changed on disk after the transaction read it; nothing was written.',
  E_TX_LOCKED: 'Another open transaction holds the file.',
  E_TX_ENDED: 'An operation on a transaction that has already committed or rolled back.',
  E_EDIT_FAILED: 'An edit that cannot apply: a missing file, a binary file edited as text, a failed write.',
  E_GIT_STATE: 'The repository is mid-merge, mid-rebase or otherwise not fit to start a task on.',
  E_GIT_ARGUMENT: 'A string that cannot reach git\'s argv (it holds a NUL byte).',
  E_GIT_COMMIT: 'git refused to commit a finished task (a hook said no); the files are written, uncommitted.',
  E_GIT: 'A git command the review runs failed (an unknown ref, a repository without commits).',
  E_LOOKUP: 'A transaction, task or fact id that names nothing, or more than one thing.',
  E_COMMAND_REFUSED: 'A command the policy does not allow, or a sandbox the machine cannot provide.',
  E_UNDO_REFUSED: 'Undo would overwrite changes made after the transaction; `--force` overrides.',
  E_REVIEW: 'A review that cannot run as asked (outside a repository, no base ref in CI).',
  E_MAP: 'The repository map cannot be built: its directory does not exist or cannot be listed.',
  E_SECRETS_BASELINE: 'The secrets baseline file cannot be read or written.',
  E_MEMORY_INVALID: 'A fact the memory refuses: empty, or longer than 2,000 characters.',
  E_SNAPSHOT_CORRUPT: 'A memory snapshot that is truncated, altered or not a snapshot at all; nothing was imported.',
  E_SNAPSHOT_NEWER: 'A memory snapshot written by a newer PyAgent; nothing was imported.',
  E_SNAPSHOT_IO: 'A memory snapshot file that cannot be read or written.',
  E_FLEET_REQUEST: 'A fleet request the server refuses as asked: a body or query field its schema refuses (the error names the field), an unsupported `--database`.',
  E_FLEET_TASK_UNKNOWN: 'A fleet task id the server does not know.',
  E_FLEET_TASK_STATE: 'A fleet operation the task\'s state forbids: cancelling a finished task, applying one that has no result (or is applied already, or ran on a repository given by URL), undoing one that is not applied.',
  E_FLEET_UNAUTHORIZED: 'A request to a PyAgent server (fleet, MCP over HTTP) bound beyond loopback without its bearer token, or with another one.',
  E_FLEET_FORBIDDEN: 'A request whose `Host` or `Origin` is not the PyAgent server\'s own (DNS rebinding, a web page calling it).',
  E_FLEET_UNREACHABLE: 'No fleet server answered at the address the client was given.',
  E_FLEET_DATABASE_URL: 'A `--database postgres://…` URL that does not parse or names no database.',
  E_FLEET_DATABASE_UNREACHABLE: 'No PostgreSQL answered at the fleet\'s `--database` URL (down, wrong host or port, a firewall), or it stopped answering.',
  E_FLEET_DATABASE_AUTH: 'PostgreSQL refused the fleet\'s login: a wrong password, or no pg_hba.conf line lets that user in.',
  E_FLEET_DATABASE: 'The fleet\'s PostgreSQL database refused what the fleet asked: it does not exist, the user may not create the fleet\'s schema, or a query failed.',
  E_FLEET_INTERNAL: 'The fleet server failed to answer a request; what went wrong is on its standard error.',
  E_LLM_HTTP: 'The LLM server answered with an error status.',
  E_LLM_RATE_LIMIT: 'The LLM server answered 429 on every attempt.',
  E_LLM_CONNECTION: 'The connection to the LLM server was refused, reset or dropped.',
  E_LLM_TIMEOUT: 'One request to the LLM server exceeded `requestTimeoutMs`.',
  E_LLM_DEADLINE: 'A call to the LLM, retries included, exceeded `totalDeadlineMs`.',
  E_LLM_CANCELLED: 'The call to the LLM was cancelled (Ctrl-C, or the run ended).',
  E_LLM_STREAM: 'The LLM\'s stream broke its contract: a malformed chunk, an error event, no finish reason.',
  E_LLM_STRUCTURED_OUTPUT: 'A structured answer that does not match its schema.',
  E_LLM_SCHEMA_UNSUPPORTED: 'A JSON Schema keyword the constrained decoder cannot honour.',
  E_LLM_CONTEXT_OVERFLOW: 'The conversation cannot fit the model\'s context window, even shortened.',
  E_LLM_NO_ENDPOINT: 'Every endpoint of the pool failed its health probe during the run.',
  E_BINARY: 'A diff or patch input is binary.',
  E_ENCODING: 'A diff or patch input is not valid UTF-8.',
  E_PATCH_PARSE: 'A patch that is not a unified diff.',
  E_PATCH_FILE_COUNT: 'A patch for one file names several.',
  E_PATCH_TARGET: 'A patch whose target file does not match.',
  E_HUNK_FAILED: 'A patch hunk that matches nowhere in the file, even tolerantly.',
  E_EDIT_INVALID: 'A search/replace edit with an empty search or overlapping another.',
  E_EDIT_NO_MATCH: 'A search/replace edit whose search text is not in the file.',
  E_EDIT_AMBIGUOUS: 'A search/replace edit whose search text is in the file more than once.',
  E_MCP_CONFIG: 'An MCP configuration (mcp.json, .mcp.json) that cannot be read or parsed, or a server entry its schema refuses.',
  E_MCP_SERVER: 'An MCP server that cannot be started, reached or listed, or a server name that is not configured.',
  E_SKILL_WRAP: 'A program that cannot be wrapped as a tool (it does not run, or its --help is empty), or a wrapped tool that does not exist.',
  E_MCP_UNAPPROVED: 'An MCP server the repository defines that you have not approved, or whose command changed since you did.',
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export class PyAgentError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

/** Narrows `error` to a PyAgentError, of one of `codes` when any are given. */
export function isPyAgentError(error: unknown, ...codes: ErrorCode[]): error is PyAgentError {
  return error instanceof PyAgentError && (codes.length === 0 || codes.includes(error.code))
}
