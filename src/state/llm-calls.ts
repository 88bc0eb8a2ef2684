/** Typed queries over llm_calls (migration 3): every LLM call's usage, latency and cost. */
import type {StateDb} from './db.js'
import {statement} from './statement.js'

export interface LlmCallRow {
  taskId: string | null
  endpoint: string
  model: string
  status: 'ok' | 'error' | 'cancelled'
  finishReason: string | null
  promptTokens: number
  completionTokens: number
  cachedTokens: number | null
  usageSource: 'server' | 'estimated'
  estimatedPromptTokens: number
  attempts: number
  latencyMs: number
  firstTokenMs: number | null
  costUsd: number | null
  error: string | null
  createdAt: string
}

export interface UsageTotals {
  calls: number
  promptTokens: number
  completionTokens: number
  cachedTokens: number
  costUsd: number
}

const insertCall = statement(`
  INSERT INTO llm_calls (task_id, endpoint, model, status, finish_reason, prompt_tokens, completion_tokens,
    cached_tokens, usage_source, estimated_prompt_tokens, attempts, latency_ms, first_token_ms, cost_usd, error, created_at)
  VALUES (@taskId, @endpoint, @model, @status, @finishReason, @promptTokens, @completionTokens,
    @cachedTokens, @usageSource, @estimatedPromptTokens, @attempts, @latencyMs, @firstTokenMs, @costUsd, @error, @createdAt)
`)
const selectTotals = statement(
  `SELECT count(*) AS calls, coalesce(sum(prompt_tokens), 0) AS promptTokens,
    coalesce(sum(completion_tokens), 0) AS completionTokens, coalesce(sum(cached_tokens), 0) AS cachedTokens,
    coalesce(sum(cost_usd), 0) AS costUsd
   FROM llm_calls WHERE (@taskId IS NULL OR task_id = @taskId)`,
)

export function insertLlmCall(db: StateDb, row: LlmCallRow): void {
  insertCall(db).run(row)
}

/** Totals over one task's calls, or over every call when no task is given. */
export function usageTotals(db: StateDb, taskId?: string): UsageTotals {
  return selectTotals(db).get({taskId: taskId ?? null}) as UsageTotals
}
