/** Every LLM call's usage, latency and cost, recorded as a row of llm_calls (state/llm-calls.ts). */
import type {StateDb} from '../state/db.js'
import {insertLlmCall} from '../state/llm-calls.js'
import type {LlmErrorKind} from './errors.js'

export interface LlmCallRecord {
  taskId?: string
  endpoint: string
  model: string
  status: 'ok' | 'error' | 'cancelled'
  finishReason?: string
  promptTokens: number
  completionTokens: number
  cachedTokens?: number
  usageSource: 'server' | 'estimated'
  estimatedPromptTokens: number
  attempts: number
  latencyMs: number
  firstTokenMs?: number
  costUsd?: number
  error?: string
  /** What kind of failure ended an erroring call (metrics count errors by it; the row keeps the message). */
  errorKind?: LlmErrorKind
}

export type UsageRecorder = (record: LlmCallRecord) => void

export function sqliteUsageRecorder(db: StateDb): UsageRecorder {
  return ({errorKind: _kind, ...record}) => {
    insertLlmCall(db, {
      taskId: null,
      finishReason: null,
      cachedTokens: null,
      firstTokenMs: null,
      costUsd: null,
      error: null,
      ...record,
      latencyMs: Math.round(record.latencyMs),
      createdAt: new Date().toISOString(),
    })
  }
}

/** Records with every recorder given, in order: the state database first, then whoever else listens (telemetry). */
export function allOf(...recorders: readonly (UsageRecorder | undefined)[]): UsageRecorder {
  const present = recorders.filter((recorder): recorder is UsageRecorder => recorder !== undefined)
  return (record) => {
    for (const recorder of present) recorder(record)
  }
}
