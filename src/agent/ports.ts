/**
 * What the agent needs from the rest of PyAgent, as small interfaces: the LLM client, the
 * transactional workspace, the text engine and the command sandbox. The real implementations
 * satisfy them structurally (see app/services.ts); tests and bench/ pass scripted ones.
 */
import type {ChatEvent, ChatRequest} from '../llm/types.js'
import type {CodeSearchResult} from '../memory/code-search.js'
import type {FactKind} from '../memory/facts.js'
import type {Recalled} from '../memory/recall.js'

export type {ChatEvent, ChatMessage, ChatRequest, ChatUsage, ToolCallDelta, ToolDefinition} from '../llm/types.js'

/** The LLM client (src/llm's LlmClient, or a scripted stand-in in bench/). */
export interface ModelClient {
  chat(request: ChatRequest): AsyncIterable<ChatEvent>
  /** Why the server's tool calls cannot be trusted to be valid (it does not constrain their arguments), or undefined when they can. */
  toolCallsUnconstrained?(signal?: AbortSignal): Promise<string | undefined>
  /** Whether the server streams tool calls, as an earlier run found; undefined when unknown. */
  streamsToolCalls?(signal?: AbortSignal): Promise<boolean | undefined>
  /** Keeps what this run found about streaming tool calls for the next. */
  rememberToolStreaming?(streams: boolean): Promise<void>
}

/** One workspace transaction: staged edits, committed whole or not at all. */
export interface TransactionPort {
  readonly id: string
  readText(path: string): string
  write(path: string, content: string): void
  delete(path: string): void
  changes(): {path: string; op: string; content: Buffer | null}[]
  rollback(): void
  commit(): Promise<{id: string; files: {path: string; op: string}[]}>
}

export interface WorkspacePort {
  readonly root: string
  begin(options: {taskId: string; message: string}): TransactionPort
  /** Why the path guard keeps tools from this path (outside the root, .git/ or .pyagent/, a deny rule), or undefined when it does not. */
  refusal(path: string): string | undefined
  /** The repository's files, ignored ones left out, before the path guard and any staged edit. */
  listFiles(): Promise<string[]>
  /** Lines matching `pattern` as `path:line:text`, under `directory` (a `dir/` prefix) or everywhere; undefined when ripgrep is not installed. */
  grep(pattern: string, directory: string | undefined): Promise<{path: string; hit: string}[] | undefined>
  /** A manifest (package.json, an installed package's package.json) as it is on disk, or undefined when it cannot be read: metadata, outside the path guard. */
  readManifest(path: string): string | undefined
}

/** The copy of the repository that commands run in, with the staged edits written over it (see scratch.ts). */
export interface ScratchPort {
  /** The directory to run in: the repository itself while nothing is staged. */
  prepare(changes: readonly {path: string; content: Buffer | null}[]): string
}

export interface CommandResult {
  exitCode: number | null
  output: string
  timedOut: boolean
}

/**
 * Why a command may run: it is on the configured allow-list (which the runner checks again
 * itself), it is the test or benchmark command the repository or its config declares, or a
 * person approved it by name.
 */
export type CommandSource = 'allow-list' | 'declared' | 'approved'

export interface CommandRunner {
  /** True when commands run inside bubblewrap (read-only outside their directory, no network); false when they run unconfined. */
  readonly confined: boolean
  run(argv: readonly string[], options: {cwd: string; timeoutMs: number; source: CommandSource; signal?: AbortSignal}): Promise<CommandResult>
}

export interface TextEngine {
  applyEdits(original: string, edits: readonly {search: string; replace: string}[]): string
  applyPatch(original: string, patch: string): string
  /** A patch's part for each file it changes, in order (one part for a single-file patch or a bare hunk list). */
  splitPatch(patch: string): {oldPath: string | null; newPath: string | null; kind: string; binary: boolean; patch: string}[]
  /** A unified diff of one file, as git prints it. */
  diff(before: string, after: string, path: string): {unified: string; added: number; removed: number}
}

/** The repository's memory: its map, learned facts and code index (src/memory/). */
export interface MemoryPort {
  /** Keeps a fact, redacted first; an exact repeat reinforces the fact already kept. */
  remember(fact: {text: string; kind: FactKind}): Promise<{merged: boolean; masked: boolean}>
  /** The map and facts for a task; files the workspace refuses are not in the map. */
  recall(task: string): Promise<Recalled>
  /** Facts a task was given and then succeeded with: each use makes a fact last longer. */
  used(factIds: readonly number[]): void
  /** What a check taught (the test command that passed, how long it takes), kept like a remembered fact. */
  learn(fact: {text: string; kind: FactKind}): Promise<void>
  /** The code units that best answer `query`, from files `admit` lets through only; the index is brought up to date first. */
  searchCode(query: string, options: {limit: number; admit: (path: string) => boolean}): Promise<CodeSearchResult>
}

/** Masks secrets before text leaves the machine or lands in the event log. */
export type Redactor = (text: string) => string | Promise<string>
