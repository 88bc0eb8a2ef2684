/**
 * What a run reports while it works. The same events feed the ink TUI, the NDJSON stream of
 * `--json`, and the task's append-only log in SQLite (text deltas excepted: the log keeps the
 * assembled message instead, so it stays small).
 */
import {appendEvent} from '../state/tasks.js'
import type {StateDb} from '../state/db.js'

export type RunStatus = 'done' | 'failed' | 'budget_exhausted' | 'rejected' | 'interrupted' | 'refused'

export type ToolStatus = 'ok' | 'error' | 'refused'

export type AgentEvent =
  | {type: 'task_started'; taskId: string; parentId: string | null; title: string; role: string; depth: number}
  | {type: 'text'; taskId: string; delta: string}
  | {type: 'assistant_message'; taskId: string; content: string}
  | {type: 'tool_call'; taskId: string; callId: string; tool: string; arguments: unknown}
  | {type: 'tool_result'; taskId: string; callId: string; tool: string; status: ToolStatus; output: string; truncated: boolean}
  | {type: 'diff'; taskId: string; path: string; unified: string; added: number; removed: number}
  | {type: 'usage'; taskId: string; promptTokens: number; completionTokens: number; costUsd: number; totalTokens: number; totalCostUsd: number}
  | {type: 'protocol'; taskId: string; protocol: 'tools' | 'json'; reason: string}
  | {type: 'model_switch'; taskId: string; model: string; reason: string}
  | {type: 'approval'; taskId: string; kind: 'edit' | 'command'; subject: string; approved: boolean}
  | {type: 'check'; taskId: string; name: string; passed: boolean; detail: string}
  | {type: 'reflection'; taskId: string; round: number; verdict: 'approve' | 'revise' | 'reject'; feedback: string}
  | {type: 'plan'; taskId: string; subtasks: {key: string; title: string; role: string; dependsOn: string[]}[]}
  | {type: 'subtask_refused'; taskId: string; title: string; reason: string}
  | {type: 'committed'; taskId: string; txId: string; files: string[]}
  | {type: 'rolled_back'; taskId: string; reason: string}
  | {type: 'task_finished'; taskId: string; status: RunStatus; summary: string}

export type EventListener = (event: AgentEvent) => void

/** Fans events out to listeners and records every one but text deltas in the task's log. */
export class EventBus {
  private readonly listeners: EventListener[] = []

  constructor(private readonly db: StateDb) {}

  on(listener: EventListener): () => void {
    this.listeners.push(listener)
    return () => {
      const index = this.listeners.indexOf(listener)
      if (index >= 0) this.listeners.splice(index, 1)
    }
  }

  emit(event: AgentEvent): void {
    if (event.type !== 'text') {
      const {type, taskId, ...payload} = event
      appendEvent(this.db, taskId, type, payload)
    }
    for (const listener of this.listeners) listener(event)
  }
}
