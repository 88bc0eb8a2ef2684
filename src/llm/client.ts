/**
 * The LLM client the agents use: one `chat()` over a pool of vLLM (or any OpenAI-compatible)
 * endpoints, yielding typed events. It never hangs (per-attempt timeout, total deadline,
 * AbortSignal), never truncates silently (no finish reason or a malformed chunk is an error),
 * retries what can succeed on retry, and records every call's usage and cost.
 */
import OpenAI from 'openai'

import type {Config} from '../config/schema.js'
import {CallContext} from './call-context.js'
import {fitMessages} from './context-window.js'
import {costUsd} from './cost.js'
import {listServedModels, type ServedModel, serverVersion, tokenizeOnServer} from './discovery.js'
import {LlmError, toLlmError} from './errors.js'
import type {CapabilityStore} from './capability-store.js'
import {CONVERSATION_HEADER, type Endpoint, EndpointPool} from './pool.js'
import {retryDelay, sleep} from './retry.js'
import {
  checkConstraint,
  checkStructured,
  constraintRequestFields,
  jsonSchemaOf,
  type StreamingValidator,
  type StreamingValidatorFactory,
  isLlamaCppServer,
  structuredOutputsForm,
  type StructuredOutputsForm,
  structuredRequestFields,
} from './structured/request.js'
import {nativeStreamingValidator} from './structured/streaming.js'
import {StallWatch, untilAborted} from './timing.js'
import {TokenCounter} from './tokens.js'
import {ToolCallAssembler} from './tool-calls.js'
import type {ChatEvent, ChatMessage, ChatRequest, ChatUsage, FinishReason, LlmClientConfig} from './types.js'
import type {UsageRecorder} from './usage-log.js'
import {vllmFetch} from './vllm-fetch.js'
import {redactMessages} from '../secrets/redact.js'


export interface LlmClientOptions {
  config: LlmClientConfig
  env?: NodeJS.ProcessEnv
  recordUsage?: UsageRecorder
  /** Checks structured answers while they stream; default: the native DFA compiled from the schema. */
  streamingValidator?: StreamingValidatorFactory
  /** A counter shared with other clients; the client frees only a counter it created. */
  tokens?: TokenCounter
  random?: () => number
  /** Where what a server was found to need is kept between runs (the state database); none: this process only. */
  capabilities?: CapabilityStore
  /**
   * Masks secrets and personal data in every message before it leaves the machine. Default:
   * the workspace redactor with the configured allow-list; `false` only for trusted test setups.
   */
  redact?: MessageRedactor | false
}

export type MessageRedactor = (messages: ChatMessage[]) => Promise<ChatMessage[]>

type CompletionUsage = OpenAI.Completions.CompletionUsage

/** What one attempt learned; kept apart from the events so the caller can reconcile and record. */
class AttemptState {
  text = ''
  readonly toolCalls = new ToolCallAssembler()
  finishReason?: FinishReason
  usage?: CompletionUsage
  firstTokenAt?: number
  /** The checked structured answer, set once the whole answer passed its schema or constraint. */
  structured?: {value: unknown}
}

/** What the model is told when its structured answer broke the schema: where, and what to do instead. */
function repairMessage(error: LlmError): ChatMessage {
  return {
    role: 'user',
    content: `Your answer is not valid: ${error.detail ?? error.message}\nReply again with only the JSON value the schema asks for: no prose, no code fences.`,
  }
}

/** Failures that say the endpoint is unwell (rather than the request being wrong) and count toward marking it down. */
/** Every form a JSON schema can be sent in, in the order negotiation tries them. */
const STRUCTURED_FORMS: readonly StructuredOutputsForm[] = ['response_format', 'json_object', 'structured_outputs']

/** The server refused the request because of how the schema was sent (400, 422, or llama.cpp's 500 with a validation error). */
function refusesStructuredForm(error: LlmError): boolean {
  const status = error.status ?? 0
  return (status === 400 || status === 422 || status >= 500) && /response_format|json_schema|json_object|structured_outputs|guided_json/i.test(error.message)
}

/**
 * A failure of the server itself: it could not be reached, went silent, or answered 5xx. A 200
 * whose content was unusable (an empty or truncated stream, tools ignored) is the request's
 * failure: marking the endpoint down for it would hide the cause behind "no endpoint".
 */
function endpointFault(error: LlmError): boolean {
  return error.kind === 'connection' || error.kind === 'timeout' || (error.status ?? 0) >= 500
}

/** A pool in front of the endpoints (the fleet server's) keeps the conversation on one endpoint too; vLLM ignores the header. */
const conversationHeaders = (conversationId: string | undefined) => (conversationId === undefined ? undefined : {[CONVERSATION_HEADER]: conversationId})

/** A thinking model's reasoning, from vLLM's reasoning parser: `reasoning` in newer servers, `reasoning_content` in older ones. */
function reasoningOf(delta: object | undefined): string | undefined {
  const fields = delta as {reasoning?: unknown; reasoning_content?: unknown} | undefined
  const text = fields?.reasoning ?? fields?.reasoning_content
  return typeof text === 'string' && text !== '' ? text : undefined
}

export class LlmClient {
  readonly pool: EndpointPool
  readonly tokens: TokenCounter
  private readonly config: LlmClientConfig
  private readonly clients = new Map<Endpoint, OpenAI>()
  private readonly apiKey: string
  private servedModel?: Promise<ServedModel>
  private readonly noTokenize = new Set<Endpoint>()
  private readonly ownsTokens: boolean
  private readonly redact: MessageRedactor

  constructor(private readonly options: LlmClientOptions) {
    this.config = options.config
    const env = options.env ?? process.env
    // vLLM without --api-key accepts any key, but the SDK insists on one.
    this.apiKey = env[this.config.apiKeyEnv] || 'EMPTY'
    this.pool = new EndpointPool([this.config.baseUrl, ...this.config.endpoints], {
      failureThreshold: this.config.endpointFailureThreshold,
      probeIntervalMs: this.config.endpointProbeIntervalMs,
    })
    this.ownsTokens = options.tokens === undefined
    this.tokens = options.tokens ?? new TokenCounter(this.config.tokenEncoding)
    const allow = this.config.redactAllow
    // A conversation is sent again at every step: each message is redacted the first time it leaves, and remembered.
    const redacted = new WeakMap<ChatMessage, ChatMessage>()
    const redactOnce: MessageRedactor = (messages) =>
      Promise.all(
        messages.map(async (message) => {
          const known = redacted.get(message)
          if (known) return known
          const [copy] = await redactMessages([message], {allow})
          redacted.set(message, copy!)
          return copy!
        }),
      )
    this.redact = options.redact === false ? async (messages) => messages : (options.redact ?? redactOnce)
  }

  close(): void {
    if (this.ownsTokens) this.tokens.free()
  }

  private sdk(endpoint: Endpoint): OpenAI {
    let client = this.clients.get(endpoint)
    if (!client) {
      client = new OpenAI({
        baseURL: endpoint.url,
        apiKey: this.apiKey,
        maxRetries: 0,
        timeout: this.config.requestTimeoutMs,
        logLevel: 'off',
        fetch: vllmFetch,
      })
      this.clients.set(endpoint, client)
    }
    return client
  }

  /**
   * llama.cpp's servers leave tool-call arguments unconstrained under tool_choice auto (a small
   * model writes broken JSON there), while they do constrain a json_object schema.
   */
  async toolCallsUnconstrained(signal?: AbortSignal): Promise<string | undefined> {
    const served = await this.model(signal)
    return isLlamaCppServer(served.ownedBy) ? `${served.id} is served by llama.cpp (owned_by ${served.ownedBy}), which does not constrain tool-call arguments` : undefined
  }

  /** Whether the server streams tool calls, as an earlier run found; undefined when nobody has tried. */
  async streamsToolCalls(signal?: AbortSignal): Promise<boolean | undefined> {
    return this.options.capabilities?.read(this.serverIdentity(await this.model(signal))).streamsToolCalls
  }

  async rememberToolStreaming(streams: boolean): Promise<void> {
    this.options.capabilities?.remember(this.serverIdentity(await this.model()), {streamsToolCalls: streams})
  }

  /** The served model and its context window, from the first endpoint that answers /v1/models. */
  model(signal?: AbortSignal): Promise<ServedModel> {
    // Shared by concurrent callers, so it runs under its own timeout rather than one caller's signal.
    this.servedModel ??= this.discoverModel(AbortSignal.timeout(this.config.requestTimeoutMs)).then(
      ({model, discovered}) => {
        // A configured model used because no endpoint answered: ask again next time for its context window.
        if (!discovered) this.servedModel = undefined
        return model
      },
      (error: unknown) => {
        this.servedModel = undefined
        throw error
      },
    )
    return untilAborted(this.servedModel, signal)
  }

  private async discoverModel(signal: AbortSignal): Promise<{model: ServedModel; discovered: boolean}> {
    let lastError: LlmError | undefined
    const wanted = this.config.model
    for (const endpoint of this.pool.endpoints) {
      try {
        const [served, version] = await Promise.all([listServedModels(this.sdk(endpoint), signal), serverVersion(endpoint.root, signal)])
        const match = wanted ? served.find((model) => model.id === wanted) : served[0]
        if (match) return {model: {...match, ...(version ? {version} : {})}, discovered: true}
        // A name the server routes (a LiteLLM alias) but does not list: the server is still the one who answers.
        if (wanted) return {model: {id: wanted, ownedBy: served[0]?.ownedBy, ...(version ? {version} : {})}, discovered: true}
      } catch (error) {
        lastError = toLlmError(error, endpoint.url)
      }
    }
    if (wanted) return {model: {id: wanted}, discovered: false}
    throw (
      lastError ??
      new LlmError({kind: 'http', endpoint: this.config.baseUrl, detail: 'the server lists no models; set `model`', retryable: false})
    )
  }

  /** Counts with the server's tokenizer and chat template when it has /tokenize; undefined otherwise. */
  async tokenize(messages: ChatMessage[], signal?: AbortSignal): Promise<number | undefined> {
    const {id} = await this.model(signal)
    for (const endpoint of this.pool.endpoints) {
      if (endpoint.down || this.noTokenize.has(endpoint)) continue
      try {
        const count = await tokenizeOnServer(
          endpoint.root,
          {model: id, messages: await this.redact(messages)},
          {authorization: `Bearer ${this.apiKey}`},
          signal,
        )
        if (count !== undefined) return count
        this.noTokenize.add(endpoint)
      } catch (error) {
        throw toLlmError(error, `${endpoint.root}/tokenize`)
      }
    }
    return undefined
  }

  /** Fits the conversation into the served context window, keeping room for the answer. */
  private fit(request: ChatRequest, served: ServedModel): {messages: ChatMessage[]; localPromptTokens: number} {
    const localPromptTokens = this.tokens.countMessages(request.messages) + this.toolTokens(request)
    if (!served.maxModelLen) return {messages: request.messages, localPromptTokens}
    const reserve = this.answerBound(request, served)
    const budget = served.maxModelLen - reserve - this.tokens.calibrated(this.toolTokens(request))
    if (this.tokens.calibrated(localPromptTokens) <= served.maxModelLen - reserve) {
      return {messages: request.messages, localPromptTokens}
    }
    const fitted = fitMessages(request.messages, {
      budget,
      count: (message) => this.tokens.calibrated(this.tokens.countMessage(message)),
    })
    if (!fitted.fits) {
      throw new LlmError({
        kind: 'context_overflow',
        endpoint: this.config.baseUrl,
        detail: `the system prompt and latest user turn alone need ~${fitted.tokens} tokens; ${budget} are available in ${served.id}'s ${served.maxModelLen}-token window`,
        retryable: false,
      })
    }
    return {messages: fitted.messages, localPromptTokens: this.tokens.countMessages(fitted.messages) + this.toolTokens(request)}
  }

  private readonly toolTokenCache = new WeakMap<object, number>()
  private toolTokens(request: ChatRequest): number {
    if (!request.tools?.length) return 0
    let tokens = this.toolTokenCache.get(request.tools)
    if (tokens === undefined) {
      tokens = this.tokens.count(JSON.stringify(request.tools))
      this.toolTokenCache.set(request.tools, tokens)
    }
    return tokens
  }

  /** The form found to work by negotiation, once a server refused the one its identity suggested. */
  private negotiatedForm?: StructuredOutputsForm
  private readonly refusedForms = new Set<StructuredOutputsForm>()

  private structuredForm(served: ServedModel): StructuredOutputsForm {
    if (this.config.structuredOutputsField !== 'auto') return this.config.structuredOutputsField
    this.negotiatedForm ??= this.options.capabilities?.read(this.serverIdentity(served)).structuredForm
    return this.negotiatedForm ?? structuredOutputsForm('auto', served.ownedBy)
  }

  /** Who answers: the endpoint, the model, who serves it and its version; a server that changes any of them is asked afresh. */
  private serverIdentity(served: ServedModel): string {
    return `${this.config.baseUrl} ${served.id} ${served.ownedBy ?? ''} ${served.version ?? ''}`
  }

  /**
   * Under `auto`, a refused form gives way to the next one not yet refused, remembered for later
   * requests: a proxy (LiteLLM) hides which server is behind it. False when none is left or the
   * form was configured.
   */
  private tryNextStructuredForm(served: ServedModel): boolean {
    if (this.config.structuredOutputsField !== 'auto') return false
    this.refusedForms.add(this.structuredForm(served))
    const next = STRUCTURED_FORMS.find((form) => !this.refusedForms.has(form))
    if (next === undefined) return false
    this.negotiatedForm = next
    this.options.capabilities?.remember(this.serverIdentity(served), {structuredForm: next})
    return true
  }

  /**
   * The most tokens one answer may take: the caller's bound, else completionReserveTokens but at
   * most a quarter of the context window. Always sent: a server left to its own default lets a
   * runaway answer stream until the task's deadline.
   */
  private answerBound(request: ChatRequest, served: ServedModel): number {
    if (request.maxTokens !== undefined) return request.maxTokens
    const reserve = this.config.completionReserveTokens
    return served.maxModelLen ? Math.min(reserve, Math.floor(served.maxModelLen / 4)) : reserve
  }

  private requestBody(request: ChatRequest, served: ServedModel, messages: ChatMessage[]): Record<string, unknown> {
    const body: Record<string, unknown> = {model: served.id, messages, max_tokens: this.answerBound(request, served)}
    if (request.tools?.length) body.tools = request.tools
    if (request.toolChoice !== undefined) body.tool_choice = request.toolChoice
    if (request.temperature !== undefined) body.temperature = request.temperature
    const templateKwargs = {...this.config.chatTemplateKwargs, ...request.chatTemplateKwargs}
    if (Object.keys(templateKwargs).length > 0) body.chat_template_kwargs = templateKwargs
    if (request.responseConstraint) Object.assign(body, constraintRequestFields(request.responseConstraint, this.config.legacyGuidedFields))
    if (request.responseSchema) {
      Object.assign(
        body,
        structuredRequestFields(
          jsonSchemaOf(request.responseSchema),
          this.structuredForm(served),
          this.config.legacyGuidedFields,
        ),
      )
    }
    return body
  }

  async *chat(request: ChatRequest): AsyncGenerator<ChatEvent, void, undefined> {
    if (request.responseSchema && request.responseConstraint) {
      throw new TypeError('chat(): give responseSchema or responseConstraint, not both')
    }
    const call = new CallContext(request, this.config, this.options.recordUsage, this.tokens)
    try {
      let messages: ChatMessage[]
      try {
        call.served = await this.model(call.outer)
        ;({messages, localPromptTokens: call.localPromptTokens} = this.fit(request, call.served))
        messages = await this.redact(messages)
      } catch (error) {
        throw call.fail(call.classify(error, this.config.baseUrl))
      }
      let body = this.requestBody(request, call.served, messages)
      let repairs = 0
      let avoid: Endpoint | undefined
      for (;;) {
        call.attempts++
        let endpoint: Endpoint | undefined
        let failure: LlmError | undefined
        const attemptAbort = new AbortController()
        // Fed by every chunk: a long answer that keeps streaming is not a stalled one.
        const stall = new StallWatch(this.config.requestTimeoutMs, () => attemptAbort.abort(new Error('attempt timeout')))
        const state = new AttemptState()
        let outcome: 'ok' | 'failed' | 'neutral' = 'neutral'
        try {
          endpoint = await this.pool.acquire(request.conversationId, avoid)
          call.endpoint = endpoint.url
          const signal = AbortSignal.any([call.outer, attemptAbort.signal])
          const validator = request.responseSchema && (this.options.streamingValidator ?? nativeStreamingValidator)(request.responseSchema)
          if (request.stream === false) {
            for (const event of await this.completeOnce(endpoint, body, signal, state, request.conversationId)) yield event
          } else {
            // Chunks are read here rather than in a nested generator: one async hop less per token.
            const stream = await this.openStream(endpoint, body, signal, request.conversationId)
            for await (const chunk of stream) {
              stall.progress()
              for (const event of this.acceptChunk(chunk, state, endpoint, validator)) yield event
              // Read right after the caller saw the chunk's events, so not one chunk more is waited for.
              if (request.cutShort?.aborted) {
                state.finishReason = 'stopped'
                break
              }
            }
            if (!state.finishReason) {
              throw new LlmError({
                kind: 'stream',
                endpoint: endpoint.url,
                detail: `the stream ended without a finish reason after ${state.text.length} characters: the answer is truncated`,
                retryable: true,
              })
            }
          }
          // An answer cut short is incomplete by the caller's choice: there is no whole answer to check.
          if (state.finishReason !== 'stopped') {
            const reason = validator?.end()
            if (reason) throw this.structuredError(endpoint, reason)
            state.structured = this.checkAnswer(request, state, endpoint)
          }
          outcome = 'ok'
        } catch (raw) {
          failure = call.classify(raw, endpoint?.url ?? call.endpoint, attemptAbort.signal)
          // A server that refuses the schema's form (llama.cpp answers json_schema with a 500) is well; the form is wrong.
          if (endpointFault(failure) && !(request.responseSchema && refusesStructuredForm(failure))) outcome = 'failed'
        } finally {
          stall.stop()
          // Also stops the HTTP stream when the caller stops iterating early.
          attemptAbort.abort()
          if (endpoint) this.pool.release(endpoint, outcome, failure?.message)
        }
        if (!failure) {
          yield* this.finish(call, state)
          return
        }
        if (request.responseSchema && refusesStructuredForm(failure) && this.tryNextStructuredForm(call.served)) {
          body = this.requestBody(request, call.served, messages)
          continue
        }
        if (failure.kind === 'structured_output' && repairs < this.config.structuredRepairs) {
          // The model, not the server, went wrong: show it its answer and where it broke, at once.
          repairs++
          messages = [...messages, {role: 'assistant', content: state.text}, repairMessage(failure)]
          body = this.requestBody(request, call.served, messages)
          yield {type: 'restart', attempt: call.attempts, error: failure}
          continue
        }
        const delay = retryDelay(call.attempts - 1, this.retryPolicy(), failure.retryAfterMs, this.options.random)
        const pastDeadline = performance.now() - call.started + delay > this.config.totalDeadlineMs
        if (!failure.retryable || call.attempts > this.config.maxRetries) throw call.fail(failure)
        if (pastDeadline) throw call.fail(call.deadlineError(failure.endpoint, failure))
        if (state.text !== '' || state.toolCalls.size > 0) yield {type: 'restart', attempt: call.attempts, error: failure}
        try {
          await sleep(delay, call.outer)
        } catch (abort) {
          throw call.fail(call.classify(abort, failure.endpoint))
        }
        avoid = endpoint
      }
    } finally {
      call.close()
    }
  }

  private retryPolicy() {
    return {maxRetries: this.config.maxRetries, baseDelayMs: this.config.retryBaseDelayMs, maxDelayMs: this.config.retryMaxDelayMs}
  }

  /** The whole answer against the request's schema or constraint, whatever the server claims to have enforced. */
  private checkAnswer(request: ChatRequest, state: AttemptState, endpoint: Endpoint): {value: unknown} | undefined {
    const {responseSchema, responseConstraint} = request
    if (!responseSchema && !responseConstraint) return undefined
    const checked = responseSchema ? checkStructured(state.text, responseSchema) : checkConstraint(state.text, responseConstraint!)
    if (!checked.ok) throw this.structuredError(endpoint, checked.error)
    return {value: checked.value}
  }

  private structuredError(endpoint: Endpoint, reason: string): LlmError {
    return new LlmError({kind: 'structured_output', endpoint: endpoint.url, detail: reason, retryable: false})
  }

  private *finish(call: CallContext, state: AttemptState): Generator<ChatEvent> {
    const toolCalls = state.toolCalls.finish()
    for (const toolCall of toolCalls) yield {type: 'tool_call', call: toolCall}
    const usage = this.usageOf(state, call.served, call.localPromptTokens, toolCalls)
    const firstTokenMs = state.firstTokenAt === undefined ? undefined : state.firstTokenAt - call.started
    const usageFields = {...this.usageFields(usage), finishReason: state.finishReason, firstTokenMs}
    if (state.structured) yield {type: 'structured', value: state.structured.value}
    yield {type: 'usage', usage}
    call.record('ok', usageFields)
    yield {
      type: 'finish',
      reason: state.finishReason!,
      endpoint: call.endpoint,
      model: call.served.id,
      attempts: call.attempts,
      latencyMs: performance.now() - call.started,
    }
  }

  private usageFields(usage: ChatUsage) {
    return {
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      cachedTokens: usage.cachedTokens,
      usageSource: usage.source,
      estimatedPromptTokens: usage.estimatedPromptTokens,
      costUsd: usage.costUsd,
    }
  }

  /** The server's usage when it sent one (and the local count is calibrated by it), else a local estimate. */
  private usageOf(
    state: AttemptState,
    served: ServedModel,
    localPromptTokens: number,
    toolCalls: {argumentsText: string; name: string}[],
  ): ChatUsage {
    let usage: Omit<ChatUsage, 'costUsd'>
    if (state.usage) {
      this.tokens.reconcile(localPromptTokens, state.usage.prompt_tokens)
      usage = {
        promptTokens: state.usage.prompt_tokens,
        completionTokens: state.usage.completion_tokens,
        totalTokens: state.usage.total_tokens,
        cachedTokens: state.usage.prompt_tokens_details?.cached_tokens ?? undefined,
        source: 'server',
        estimatedPromptTokens: localPromptTokens,
      }
    } else {
      const answer = state.text + toolCalls.map((call) => call.name + call.argumentsText).join('')
      const promptTokens = this.tokens.calibrated(localPromptTokens)
      const completionTokens = this.tokens.calibrated(this.tokens.count(answer))
      usage = {
        promptTokens,
        completionTokens,
        totalTokens: promptTokens + completionTokens,
        source: 'estimated',
        estimatedPromptTokens: localPromptTokens,
      }
    }
    return {...usage, costUsd: costUsd(this.config.prices, served.id, usage)}
  }

  private openStream(endpoint: Endpoint, body: Record<string, unknown>, signal: AbortSignal, conversationId: string | undefined) {
    const params = {...body, stream: true, stream_options: {include_usage: true}} as OpenAI.Chat.ChatCompletionCreateParamsStreaming
    return this.sdk(endpoint).chat.completions.create(params, {signal, headers: conversationHeaders(conversationId)})
  }

  /** Folds one chunk into the attempt's state; returns its tool-call progress, text and reasoning events. */
  private acceptChunk(
    chunk: OpenAI.Chat.Completions.ChatCompletionChunk,
    state: AttemptState,
    endpoint: Endpoint,
    validator: StreamingValidator | undefined,
  ): ChatEvent[] {
    // A flat `{object: "error"}` event (vLLM before 0.10.1) is not recognised by the SDK.
    if ((chunk as {object?: string}).object === 'error') {
      const message = (chunk as {message?: string}).message
      throw new LlmError({kind: 'stream', endpoint: endpoint.url, serverMessage: message, retryable: true})
    }
    if (chunk.usage) state.usage = chunk.usage
    const choice = chunk.choices[0]
    if (!choice) return []
    const delta = choice.delta
    if (choice.finish_reason) state.finishReason = choice.finish_reason
    const events: ChatEvent[] = []
    if (delta?.tool_calls) {
      state.firstTokenAt ??= performance.now()
      for (const call of state.toolCalls.push(delta.tool_calls)) events.push({type: 'tool_call_delta', ...call})
    }
    const content = delta?.content
    if (!content) {
      const reasoning = reasoningOf(delta)
      if (reasoning) {
        state.firstTokenAt ??= performance.now()
        events.push({type: 'reasoning', delta: reasoning})
      }
      return events
    }
    state.firstTokenAt ??= performance.now()
    state.text += content
    if (validator) {
      const reason = validator.push(content)
      if (reason) throw this.structuredError(endpoint, reason)
    }
    events.push({type: 'text', delta: content})
    return events
  }

  /** Returns the answer's reasoning and text events; tool calls and usage go into the state. */
  private async completeOnce(
    endpoint: Endpoint,
    body: Record<string, unknown>,
    signal: AbortSignal,
    state: AttemptState,
    conversationId: string | undefined,
  ): Promise<ChatEvent[]> {
    const params = {...body, stream: false} as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming
    const completion = await this.sdk(endpoint).chat.completions.create(params, {signal, headers: conversationHeaders(conversationId)})
    const choice = completion.choices[0]
    if (!choice?.finish_reason) {
      throw new LlmError({kind: 'stream', endpoint: endpoint.url, detail: 'the answer has no finish reason', retryable: true})
    }
    state.finishReason = choice.finish_reason
    state.usage = completion.usage
    state.firstTokenAt = performance.now()
    const calls = choice.message.tool_calls ?? []
    state.toolCalls.push(
      calls.flatMap((call, index) =>
        call.type === 'function' ? [{index, id: call.id, type: 'function' as const, function: call.function}] : [],
      ),
    )
    state.text = choice.message.content ?? ''
    const events: ChatEvent[] = []
    const reasoning = reasoningOf(choice.message)
    if (reasoning) events.push({type: 'reasoning', delta: reasoning})
    if (state.text) events.push({type: 'text', delta: state.text})
    return events
  }
}
