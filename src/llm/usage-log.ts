/** Every LLM call's usage, latency and cost, as rows of llm_calls (migration 3). */
import type {StateDb} from '../state/db.js'

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
  const insert = db.prepare(`
    INSERT INTO llm_calls (task_id, endpoint, model, status, finish_reason, prompt_tokens, completion_tokens,
      cached_tokens, usage_source, estimated_prompt_tokens, attempts, latency_ms, first_token_ms, cost_usd, error, created_at)
    VALUES (@taskId, @endpoint, @model, @status, @finishReason, @promptTokens, @completionTokens,
      @cachedTokens, @usageSource, @estimatedPromptTokens, @attempts, @latencyMs, @firstTokenMs, @costUsd, @error, @createdAt)
  `)
  return (record) => {
    insert.run({
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

export interface UsageTotals {
  calls: number
  promptTokens: number
  completionTokens: number
  cachedTokens: number
  costUsd: number
}

export function usageTotals(db: StateDb, taskId?: string): UsageTotals {
  const row = db
    .prepare(
      `SELECT count(*) AS calls, coalesce(sum(prompt_tokens), 0) AS promptTokens,
        coalesce(sum(completion_tokens), 0) AS completionTokens, coalesce(sum(cached_tokens), 0) AS cachedTokens,
        coalesce(sum(cost_usd), 0) AS costUsd
       FROM llm_calls WHERE (@taskId IS NULL OR task_id = @taskId)`,
    )
    .get({taskId: taskId ?? null}) as UsageTotals
  return row
}
