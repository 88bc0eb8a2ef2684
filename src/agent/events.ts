/**
 * What a run reports while it works. The same events feed the ink TUI, the NDJSON stream of
 * `--json`, and the task's append-only log in SQLite (text deltas excepted: the log keeps the
 * assembled message instead, so it stays small).
 */
import type {StateDb} from '../state/db.js'
import {appendEvent} from '../state/events.js'
import type {Redactor} from './ports.js'
import type {ApprovalKind} from './tools/tool.js'

export type RunStatus = 'done' | 'failed' | 'budget_exhausted' | 'rejected' | 'interrupted' | 'refused'

export type ToolStatus = 'ok' | 'error' | 'refused'

export type AgentEvent =
  | {type: 'task_started'; taskId: string; parentId: string | null; title: string; role: string; depth: number}
  /** A step of the loop begins: one model turn and the tools it calls (spans and `pyagent stats` count them). */
  | {type: 'step_started'; taskId: string; step: number}
  | {type: 'text'; taskId: string; delta: string}
  | {type: 'assistant_message'; taskId: string; content: string}
  | {type: 'tool_call'; taskId: string; callId: string; tool: string; arguments: unknown}
  | {type: 'tool_result'; taskId: string; callId: string; tool: string; status: ToolStatus; output: string; truncated: boolean}
  | {type: 'diff'; taskId: string; path: string; unified: string; added: number; removed: number}
  | {type: 'usage'; taskId: string; promptTokens: number; completionTokens: number; costUsd: number; totalTokens: number; totalCostUsd: number}
  | {type: 'protocol'; taskId: string; protocol: 'tools' | 'json'; reason: string}
  | {type: 'model_switch'; taskId: string; model: string; reason: string}
  | {type: 'approval'; taskId: string; kind: ApprovalKind; subject: string; approved: boolean}
  /** durationMs: how long the check ran, where it ran something (tests, benchmark). */
  | {type: 'check'; taskId: string; name: string; passed: boolean; detail: string; durationMs?: number}
  | {type: 'reflection'; taskId: string; round: number; verdict: 'approve' | 'revise' | 'reject'; feedback: string; durationMs: number}
  | {type: 'plan'; taskId: string; subtasks: {key: string; title: string; role: string; dependsOn: string[]}[]}
  | {type: 'subtask_refused'; taskId: string; title: string; reason: string}
  | {type: 'committed'; taskId: string; txId: string; files: string[]; durationMs: number}
  | {type: 'rolled_back'; taskId: string; reason: string}
  | {type: 'task_finished'; taskId: string; status: RunStatus; summary: string}
  | {type: 'commands_unconfined'; taskId: string; detail: string}
  /**
   * What the task's first prompt holds besides the task: the repository's instruction files, the
   * map's size and the learned facts by id (the text is the fact's, redacted when it was stored).
   */
  | {
      type: 'memory_used'
      taskId: string
      instructions: string[]
      map?: {tokens: number; files: number; definitions: number}
      facts: {id: number; kind: string; text: string}[]
      problem?: string
    }

/** `at`: when the event was emitted, in epoch milliseconds with sub-millisecond precision (spans are timed by it, not by delivery). */
export type EventListener = (event: AgentEvent, at: number) => void

/**
 * Fans events out to listeners and records every one but text deltas in the task's log. Every
 * string an event carries (task titles, the model's tool-call arguments, feedback, summaries)
 * is redacted before any listener or the log sees it. Redaction is asynchronous, so events are
 * delivered in order from a queue; `flush` waits for the queue and reports a failure.
 * Text deltas are not redacted (a secret may straddle two of them, and the model only ever saw
 * redacted input); the assembled message that follows them is.
 */
export class EventBus {
  private readonly listeners: EventListener[] = []
  private delivered: Promise<void> = Promise.resolve()
  private failure: Error | undefined

  constructor(
    private readonly db: StateDb,
    private readonly redact: Redactor,
  ) {}

  on(listener: EventListener): () => void {
    this.listeners.push(listener)
    return () => {
      const index = this.listeners.indexOf(listener)
      if (index >= 0) this.listeners.splice(index, 1)
    }
  }

  emit(event: AgentEvent): void {
    const at = performance.timeOrigin + performance.now()
    const redacted = event.type === 'text' ? Promise.resolve(event) : redactStrings(event, this.redact)
    this.delivered = this.delivered.then(async () => {
      const ready = await redacted.catch((error: unknown) => {
        this.failure ??= new Error(`could not redact a ${event.type} event, so it was not recorded: ${(error as Error).message}`)
      })
      if (!ready || this.failure) return
      try {
        this.deliver(ready, at)
      } catch (error) {
        this.failure = error as Error
      }
    })
  }

  /** Resolves once every event emitted so far is logged and delivered; throws the first failure. */
  async flush(): Promise<void> {
    await this.delivered
    if (this.failure) throw this.failure
  }

  private deliver(event: AgentEvent, at: number): void {
    if (event.type !== 'text') {
      const {type, taskId, ...payload} = event
      appendEvent(this.db, taskId, type, payload)
    }
    for (const listener of this.listeners) listener(event, at)
  }
}

/** Identifiers pass unredacted: a UUID's digits could look like a card number, and the log is keyed by them. */
const IDENTIFIERS = new Set(['type', 'taskId', 'parentId', 'callId', 'txId'])

/** A copy of `value` with `redact` applied to every string in it but identifiers, keeping its shape. */
async function redactStrings<T>(value: T, redact: Redactor): Promise<T> {
  if (typeof value === 'string') return (await redact(value)) as T
  if (Array.isArray(value)) return (await Promise.all(value.map((item) => redactStrings(item, redact)))) as T
  if (value !== null && typeof value === 'object') {
    const entries = await Promise.all(
      Object.entries(value).map(async ([key, child]) => [key, IDENTIFIERS.has(key) ? child : await redactStrings(child, redact)] as const),
    )
    return Object.fromEntries(entries) as T
  }
  return value
}
