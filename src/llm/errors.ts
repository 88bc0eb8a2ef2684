/**
 * The one error type of the LLM client. It names the endpoint, the HTTP status and vLLM's own
 * message, and says whether another attempt could succeed, so callers never parse SDK errors.
 */
import OpenAI from 'openai'

import {type ErrorCode, PyAgentError} from '../errors.js'

export type LlmErrorKind =
  /** The server answered with an error status. */
  | 'http'
  /** Refused, reset or dropped connection. */
  | 'connection'
  /** One attempt exceeded requestTimeoutMs. */
  | 'timeout'
  /** The call as a whole exceeded totalDeadlineMs. */
  | 'deadline'
  /** The caller's AbortSignal fired. */
  | 'cancelled'
  /** The stream broke its contract: a malformed chunk, an error event, no finish reason. */
  | 'stream'
  /** A structured answer that does not match its schema. */
  | 'structured_output'
  /** The conversation cannot fit the context window even after shortening. */
  | 'context_overflow'
  /** Every endpoint of the pool is down. */
  | 'no_endpoint'

export interface LlmErrorDetails {
  kind: LlmErrorKind
  endpoint: string
  status?: number
  /** The server's own message (vLLM's `message`), when it sent one. */
  serverMessage?: string
  /** What happened, in our words, when there is no server message. */
  detail?: string
  retryable: boolean
  retryAfterMs?: number
  cause?: unknown
}

const HINTS: Partial<Record<LlmErrorKind, string>> = {
  connection: 'Is the server running? Check baseUrl/endpoints (`pyagent config get baseUrl`).',
  timeout: 'Raise requestTimeoutMs if the model is slow to answer.',
  deadline: 'Raise totalDeadlineMs, or check the server load.',
  no_endpoint: 'Every configured endpoint failed its /health probe; check the servers.',
  context_overflow: 'Start a new task, or serve the model with a larger --max-model-len.',
}

const CODES: Record<LlmErrorKind, ErrorCode> = {
  http: 'E_LLM_HTTP',
  connection: 'E_LLM_CONNECTION',
  timeout: 'E_LLM_TIMEOUT',
  deadline: 'E_LLM_DEADLINE',
  cancelled: 'E_LLM_CANCELLED',
  stream: 'E_LLM_STREAM',
  structured_output: 'E_LLM_STRUCTURED_OUTPUT',
  context_overflow: 'E_LLM_CONTEXT_OVERFLOW',
  no_endpoint: 'E_LLM_NO_ENDPOINT',
}

export class LlmError extends PyAgentError {
  override readonly name = 'LlmError'
  readonly kind: LlmErrorKind
  readonly endpoint: string
  readonly status?: number
  readonly serverMessage?: string
  /** PyAgent's own account of what went wrong, without the endpoint and hint the message adds. */
  readonly detail?: string
  readonly retryable: boolean
  readonly retryAfterMs?: number

  constructor(details: LlmErrorDetails) {
    const status = details.status === undefined ? '' : ` (HTTP ${details.status})`
    const what = details.serverMessage ?? details.detail ?? 'no details'
    const hint = HINTS[details.kind]
    const code = details.kind === 'http' && details.status === 429 ? 'E_LLM_RATE_LIMIT' : CODES[details.kind]
    super(code, `LLM ${details.kind} error at ${details.endpoint}${status}: ${what}${hint ? `. ${hint}` : ''}`, {cause: details.cause})
    this.kind = details.kind
    this.endpoint = details.endpoint
    this.status = details.status
    this.serverMessage = details.serverMessage
    this.detail = details.detail
    this.retryable = details.retryable
    this.retryAfterMs = details.retryAfterMs
  }
}

/** Retry-After is seconds or an HTTP date; vLLM's proxies and the SDK also use retry-after-ms. */
export function parseRetryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  const millis = headers?.get('retry-after-ms')
  if (millis && Number.isFinite(Number(millis))) return Math.max(0, Number(millis))
  const value = headers?.get('retry-after')?.trim()
  if (!value) return undefined
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500
}

function messageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const message = (body as {message?: unknown}).message
  return typeof message === 'string' ? message : message === undefined ? undefined : JSON.stringify(message)
}

/** Classifies anything thrown while talking to one endpoint (aborts are classified by the caller, who knows why it aborted). */
export function toLlmError(error: unknown, endpoint: string): LlmError {
  if (error instanceof LlmError) return error
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new LlmError({kind: 'timeout', endpoint, detail: 'no response before the request timeout', retryable: true, cause: error})
  }
  if (error instanceof OpenAI.APIConnectionError) {
    const cause = (error.cause as {message?: string} | undefined)?.message
    return new LlmError({kind: 'connection', endpoint, detail: cause ?? error.message, retryable: true, cause: error})
  }
  if (error instanceof OpenAI.APIError) {
    if (error.status === undefined) {
      // An `{"error": …}` event inside a stream: vLLM reports a failed generation this way.
      return new LlmError({kind: 'stream', endpoint, serverMessage: messageOf(error.error) ?? error.message, retryable: true, cause: error})
    }
    return new LlmError({
      kind: 'http',
      endpoint,
      status: error.status,
      serverMessage: messageOf(error.error),
      detail: error.message,
      retryable: isRetryableStatus(error.status),
      retryAfterMs: parseRetryAfter(error.headers),
      cause: error,
    })
  }
  if (error instanceof SyntaxError) {
    return new LlmError({kind: 'stream', endpoint, detail: `malformed chunk in the stream (${error.message})`, retryable: true, cause: error})
  }
  // undici reports a connection cut while reading the body as TypeError('terminated') with a socket cause.
  const message = error instanceof Error ? error.message : String(error)
  return new LlmError({kind: 'connection', endpoint, detail: `connection lost: ${message}`, retryable: true, cause: error})
}
