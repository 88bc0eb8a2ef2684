import type {ServedModel} from './discovery.js'
import {LlmError, toLlmError} from './errors.js'
import type {TokenCounter} from './tokens.js'
import type {ChatRequest, LlmClientConfig} from './types.js'
import type {LlmCallRecord, UsageRecorder} from './usage-log.js'

/** One chat() call: its deadline, the caller's signal, and its single llm_calls record. */
export class CallContext {
  readonly started = performance.now()
  readonly outer: AbortSignal
  served: ServedModel
  localPromptTokens = 0
  attempts = 0
  endpoint: string
  private readonly deadline = new AbortController()
  private readonly deadlineTimer: NodeJS.Timeout
  private recorded = false

  constructor(
    readonly request: ChatRequest,
    private readonly config: LlmClientConfig,
    private readonly recordUsage: UsageRecorder | undefined,
    private readonly tokens: TokenCounter,
  ) {
    this.served = {id: config.model ?? 'unknown'}
    this.endpoint = config.baseUrl
    this.deadlineTimer = setTimeout(() => this.deadline.abort(new Error('deadline')), config.totalDeadlineMs)
    this.outer = request.signal ? AbortSignal.any([request.signal, this.deadline.signal]) : this.deadline.signal
  }

  /** Names an abort by its cause: the caller, the total deadline, or this attempt's timeout. */
  classify(error: unknown, endpoint: string, attemptSignal?: AbortSignal): LlmError {
    if (this.request.signal?.aborted) {
      return new LlmError({kind: 'cancelled', endpoint, detail: 'cancelled by the caller', retryable: false, cause: error})
    }
    if (this.deadline.signal.aborted) return this.deadlineError(endpoint, error)
    if (attemptSignal?.aborted) {
      const detail = `no answer and no progress for requestTimeoutMs (${this.config.requestTimeoutMs} ms)`
      return new LlmError({kind: 'timeout', endpoint, detail, retryable: true, cause: error})
    }
    return toLlmError(error, endpoint)
  }

  /** The total deadline ended the call, whether it fired mid-attempt or left no time for another retry. */
  deadlineError(endpoint: string, cause: unknown): LlmError {
    const last = cause instanceof LlmError ? cause : undefined
    const detail = `no complete answer within totalDeadlineMs (${this.config.totalDeadlineMs} ms)${last ? `; last attempt: ${last.message}` : ''}`
    return new LlmError({
      kind: 'deadline',
      endpoint,
      detail,
      retryable: false,
      status: last?.status,
      retryAfterMs: last?.retryAfterMs,
      cause,
    })
  }

  record(status: LlmCallRecord['status'], extra: Partial<LlmCallRecord> = {}): void {
    if (this.recorded) return
    this.recorded = true
    this.recordUsage?.({
      taskId: this.request.taskId,
      endpoint: this.endpoint,
      model: this.served.id,
      status,
      promptTokens: this.tokens.calibrated(this.localPromptTokens),
      completionTokens: 0,
      usageSource: 'estimated',
      estimatedPromptTokens: this.localPromptTokens,
      attempts: this.attempts,
      latencyMs: performance.now() - this.started,
      ...extra,
    })
  }

  /** Records the failed call and returns the error to throw. */
  fail(error: LlmError, extra: Partial<LlmCallRecord> = {}): LlmError {
    this.record(error.kind === 'cancelled' ? 'cancelled' : 'error', {...extra, error: error.message, errorKind: error.kind})
    return error
  }

  close(): void {
    clearTimeout(this.deadlineTimer)
    // A caller that stopped reading early still leaves a record of what the call cost.
    this.record('cancelled', {error: 'the caller stopped reading the answer'})
  }
}
