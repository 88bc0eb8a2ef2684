/**
 * What the agent needs from the rest of PyAgent, as small interfaces: the LLM client, the
 * transactional workspace, the text engine and the command sandbox. The real implementations
 * satisfy them structurally (see adapters.ts); tests and bench/ pass scripted ones.
 */
import type {z} from 'zod'

/** OpenAI's chat message shape, as much of it as the loop writes. */
export type ChatMessage =
  | {role: 'system'; content: string}
  | {role: 'user'; content: string}
  | {role: 'assistant'; content: string | null; tool_calls?: AssistantToolCall[]}
  | {role: 'tool'; tool_call_id: string; content: string}

export interface AssistantToolCall {
  id: string
  type: 'function'
  function: {name: string; arguments: string}
}

export interface ToolDefinition {
  type: 'function'
  function: {name: string; description: string; parameters: Record<string, unknown>}
}

export interface ChatRequest {
  messages: ChatMessage[]
  tools?: ToolDefinition[]
  toolChoice?: 'auto' | 'none' | 'required'
  responseSchema?: z.ZodType
  stream?: boolean
  signal?: AbortSignal
  conversationId?: string
  taskId?: string
  maxTokens?: number
  temperature?: number
}

export type ParsedArguments = {ok: true; value: Record<string, unknown>} | {ok: false; error: string}

export interface ModelToolCall {
  id: string
  name: string
  argumentsText: string
  arguments: ParsedArguments
}

export interface ChatUsage {
  promptTokens: number
  completionTokens: number
  totalTokens: number
  cachedTokens?: number
  costUsd?: number
}

export type ChatEvent =
  | {type: 'text'; delta: string}
  | {type: 'tool_call'; call: ModelToolCall}
  | {type: 'structured'; value: unknown}
  | {type: 'usage'; usage: ChatUsage}
  | {type: 'finish'; reason: string; model: string}
  | {type: 'restart'; attempt: number}

export interface ModelClient {
  chat(request: ChatRequest): AsyncIterable<ChatEvent>
}

/** One workspace transaction: staged edits, committed whole or not at all. */
export interface TransactionPort {
  readonly id: string
  readonly isOpen: boolean
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
  /** Whether the path guard lets tools touch this path (inside the root, not .git/ or .pyagent/). */
  allows(path: string): boolean
}

export interface CommandResult {
  exitCode: number | null
  output: string
  timedOut: boolean
}

export interface CommandRunner {
  run(argv: readonly string[], options: {cwd: string; timeoutMs: number; signal?: AbortSignal}): Promise<CommandResult>
}

export interface TextEngine {
  applyEdits(original: string, edits: readonly {search: string; replace: string}[]): string
  applyPatch(original: string, patch: string): string
  /** A unified diff of one file, as git prints it. */
  diff(before: string, after: string, path: string): {unified: string; added: number; removed: number}
}

/** Masks secrets before text leaves the machine or lands in the event log. */
export type Redactor = (text: string) => string | Promise<string>
