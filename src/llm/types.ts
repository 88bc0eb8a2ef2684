/** The shapes callers of the LLM client see: requests in OpenAI's message format, typed events out. */
import type OpenAI from 'openai'
import type {z} from 'zod'

import type {Config} from '../config/schema.js'
import type {LlmError} from './errors.js'
import type {TextConstraint} from './structured/request.js'

/** The settings the client reads: a slice of the config, so a caller can build one without a whole Config. */
export type LlmClientConfig = Pick<
  Config,
  | 'baseUrl'
  | 'endpoints'
  | 'model'
  | 'apiKeyEnv'
  | 'requestTimeoutMs'
  | 'maxRetries'
  | 'retryBaseDelayMs'
  | 'retryMaxDelayMs'
  | 'totalDeadlineMs'
  | 'endpointFailureThreshold'
  | 'endpointProbeIntervalMs'
  | 'structuredOutputsField'
  | 'legacyGuidedFields'
  | 'structuredRepairs'
  | 'chatTemplateKwargs'
  | 'tokenEncoding'
  | 'completionReserveTokens'
  | 'prices'
  | 'redactAllow'
>

export type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam
export type ToolDefinition = OpenAI.Chat.Completions.ChatCompletionTool
export type ToolChoice = OpenAI.Chat.Completions.ChatCompletionToolChoiceOption

export interface ChatRequest {
  messages: ChatMessage[]
  tools?: ToolDefinition[]
  toolChoice?: ToolChoice
  /** Constrains the answer to this schema on the server and validates it here, whatever the server claims. */
  responseSchema?: z.ZodType
  /** A regex or a choice the whole answer must match (vLLM's structured_outputs), validated here too. */
  responseConstraint?: TextConstraint
  /** Merged over the configured chatTemplateKwargs, e.g. {enable_thinking: false} for one call. */
  chatTemplateKwargs?: Record<string, unknown>
  /** Default true. */
  stream?: boolean
  signal?: AbortSignal
  /**
   * When it aborts, a streamed answer ends where it is: the client closes the stream at once and
   * finishes with reason `stopped`, the text and tool calls so far and an estimated usage (not an
   * error). For a caller that saw enough of the answer (see agent/edit-guard.ts).
   */
  cutShort?: AbortSignal
  /** Keeps a conversation on one endpoint so vLLM's prefix cache is reused. */
  conversationId?: string
  /** Recorded with the call in llm_calls. */
  taskId?: string
  maxTokens?: number
  temperature?: number
}

export type ParsedArguments = {ok: true; value: Record<string, unknown>} | {ok: false; error: string}

export interface ToolCall {
  id: string
  name: string
  /** The arguments exactly as the model wrote them. */
  argumentsText: string
  /** Invalid JSON is not thrown: it is an observation for the model (see invalidArgumentsObservation). */
  arguments: ParsedArguments
}

/** `stopped`: the caller cut a streamed answer short (ChatRequest.cutShort); the others are the server's. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call' | 'stopped' | (string & {})

/** A streamed tool call as far as it has come: its arguments text is incomplete JSON until the call ends. */
export interface ToolCallDelta {
  index: number
  id: string
  name: string
  argumentsText: string
  /** What this delta added to the arguments: a reader of long arguments can look at it alone. */
  added: string
}

export interface ChatUsage {
  promptTokens: number
  completionTokens: number
  totalTokens: number
  /** Prompt tokens served from vLLM's prefix cache, when the server reports them. */
  cachedTokens?: number
  /** `server` when vLLM sent usage; `estimated` from local tiktoken counts otherwise. */
  source: 'server' | 'estimated'
  /** Our local count of the prompt, kept to reconcile with the server's. */
  estimatedPromptTokens: number
  costUsd?: number
}

export type ChatEvent =
  | {type: 'text'; delta: string}
  /** A thinking model's reasoning, kept apart from the answer (vLLM started with --reasoning-parser). */
  | {type: 'reasoning'; delta: string}
  | {type: 'tool_call'; call: ToolCall}
  /** A streamed tool call grew (streamed requests only); its whole `tool_call` event follows at the end. */
  | ({type: 'tool_call_delta'} & ToolCallDelta)
  | {type: 'structured'; value: unknown}
  | {type: 'usage'; usage: ChatUsage}
  | {type: 'finish'; reason: FinishReason; endpoint: string; model: string; attempts: number; latencyMs: number}
  /** An attempt failed after text was streamed: discard the text received so far, a retry follows. */
  | {type: 'restart'; attempt: number; error: LlmError}
