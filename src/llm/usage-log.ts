/** Every LLM call's usage, latency and cost, recorded as a row of llm_calls (state/llm-calls.ts). */
import type {StateDb} from '../state/db.js'
import {insertLlmCall} from '../state/llm-calls.js'

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
}

export type UsageRecorder = (record: LlmCallRecord) => void

export function sqliteUsageRecorder(db: StateDb): UsageRecorder {
  return (record) => {
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
