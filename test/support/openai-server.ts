/**
 * A stand-in for vLLM's OpenAI-compatible server, speaking its wire format: `data:` SSE frames
 * ending in `data: [DONE]`, a first delta carrying the role, tool-call deltas keyed by index
 * with the id and name first and the arguments in pieces, a trailing usage chunk with
 * `choices: []` when `stream_options.include_usage` is set, and both error body shapes vLLM has
 * used. Each test scripts the replies (a queue, or a function of the request) and can inject
 * faults; every request is recorded so tests can inspect what the client sent.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'

export type ErrorShape = 'nested' | 'flat'

export interface ScriptedToolCall {
  name: string
  /** Sent verbatim, so a test can script invalid JSON. */
  arguments: string
  id?: string
}

export type StreamFault =
  /** Destroy the socket after this many SSE events: the client sees a reset mid-stream. */
  | {kind: 'drop'; afterEvents: number}
  /** Send a `data:` frame that is not JSON after this many events, then carry on. */
  | {kind: 'malformed'; afterEvents: number}
  /** Stop writing (socket left open) after this many events: a stream that goes silent. */
  | {kind: 'hang'; afterEvents: number}
  /** Keep sending content deltas every intervalMs until the client leaves: a stream that never ends. */
  | {kind: 'endless'; afterEvents: number; intervalMs: number}
  /** Omit finish_reason and go straight to `[DONE]`: a truncated answer. */
  | {kind: 'no-finish'}
  /** A mid-stream error event in the given body shape, then `[DONE]`, as vLLM does on a generation error. */
  | {kind: 'error-event'; afterEvents: number; message: string}

export interface CompletionReply {
  type: 'completion'
  text?: string
  /** A reasoning parser's output, streamed before the answer. */
  reasoning?: string
  /** `reasoning` in newer vLLM, `reasoning_content` in older (default). */
  reasoningField?: 'reasoning' | 'reasoning_content'
  toolCalls?: ScriptedToolCall[]
  finishReason?: 'stop' | 'length' | 'tool_calls'
  /** Characters per content / argument delta (default: one word per delta). */
  deltaChars?: number
  /** Split the response bytes into socket writes of at most this many bytes (UTF-8 sequences included). */
  writeBytes?: number
  /** Delay before each SSE event, for slow tokens. */
  tokenDelayMs?: number
  promptTokens?: number
  cachedTokens?: number
  /** Behave like a server that ignores stream_options: no usage chunk. */
  omitUsage?: boolean
  fault?: StreamFault
}

export interface ErrorReply {
  type: 'error'
  status: number
  message: string
  errorType?: string
  shape?: ErrorShape
  /** Value of the Retry-After header. */
  retryAfter?: string
}

/** The socket is destroyed before any response: a connection reset. */
export interface ResetReply {
  type: 'reset'
}

export type Reply = CompletionReply | ErrorReply | ResetReply

export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingMessage['headers']
  body: any
  /** For a streamed answer: how many of its SSE events were written, and whether the connection closed before the answer ended (the client hung up, or a fault cut it). */
  streamed?: {events: number; written: number; closedEarly: boolean}
}

/**
 * How a kind of server departs from vLLM, as its documentation and source say; each quirk is
 * applied before a scripted reply is chosen. Fidelity: only what PyAgent's requests meet is
 * modelled (the routes, the schema forms, tools and streaming), not sampling or templates.
 */
export interface ServerProfile {
  /** /v1/models' owned_by. */
  ownedBy: string
  /** A /health route (vLLM's); the others have none and answer 404. */
  health: boolean
  /** vLLM's /tokenize. */
  tokenize: boolean
  /** What vLLM's /version answers; undefined: no such route. */
  version?: string
  /** vLLM's Prometheus /metrics (see vllmMetricsText); the others have none. */
  metrics?: boolean
  /** A streamed request with tools answers 200 with an empty stream (llama-cpp-python: "Automatic streaming tool choice is not supported"). */
  streamsToolCalls: boolean
  /** The schema forms accepted; any other is refused the way the server refuses it. */
  schemaForms: ReadonlyArray<'structured_outputs' | 'json_schema' | 'json_object'>
  /** How a refused form is answered: llama-cpp-python's pydantic validation is a 500, the others a 400. */
  refusalStatus: number
  /** An assistant message with tool calls must carry string content (llama-cpp-python's pydantic model refuses null). */
  assistantContentRequired: boolean
}

export const SERVER_PROFILES = {
  /** vLLM >= 0.12: https://docs.vllm.ai/en/latest/features/structured_outputs.html, /health and /tokenize in its OpenAI server. */
  vllm: {ownedBy: 'vllm', health: true, tokenize: true, metrics: true, version: '0.12.0', streamsToolCalls: true, schemaForms: ['structured_outputs', 'json_schema'], refusalStatus: 400, assistantContentRequired: false},
  /** llama-cpp-python 0.3 (llama_cpp/server/app.py, types.py): response_format text|json_object (+schema), no /health, no streamed tool choice. */
  'llama.cpp': {ownedBy: 'me', health: false, tokenize: false, streamsToolCalls: false, schemaForms: ['json_object'], refusalStatus: 500, assistantContentRequired: true},
  /** Ollama's OpenAI compatibility (docs/openai.md): response_format json_schema, streamed tool calls, no /health or /tokenize. */
  ollama: {ownedBy: 'library', health: false, tokenize: false, streamsToolCalls: true, schemaForms: ['json_schema', 'json_object'], refusalStatus: 400, assistantContentRequired: false},
  /** LM Studio's OpenAI-compatible server: structured output through response_format json_schema. */
  lmstudio: {ownedBy: 'organization_owner', health: false, tokenize: false, streamsToolCalls: true, schemaForms: ['json_schema'], refusalStatus: 400, assistantContentRequired: false},
  /** A hosted OpenAI-style API: json_schema only, unknown fields refused ("Unrecognized request argument supplied"). */
  hosted: {ownedBy: 'openai', health: false, tokenize: false, streamsToolCalls: true, schemaForms: ['json_schema', 'json_object'], refusalStatus: 400, assistantContentRequired: false},
} as const satisfies Record<string, ServerProfile>

export type ServerProfileName = keyof typeof SERVER_PROFILES

/** Why a profile refuses a request body, or undefined when it takes it. */
function profileRefusal(profile: ServerProfile, body: any): string | undefined {
  const form = body?.structured_outputs ? 'structured_outputs' : body?.response_format?.type === 'json_schema' ? 'json_schema' : body?.response_format?.schema ? 'json_object' : undefined
  if (form && !(profile.schemaForms as readonly string[]).includes(form)) {
    return form === 'structured_outputs' ? 'Unrecognized request argument supplied: structured_outputs' : `response_format: Input should be 'text' or 'json_object', got ${form}`
  }
  if (profile.assistantContentRequired && (body?.messages ?? []).some((message: any) => message.role === 'assistant' && message.content === null)) {
    return "messages: assistant content Input should be a valid string"
  }
  return undefined
}

export interface OpenAiServerOptions {
  /** A kind of server (its quirks); the fields below override it. Default: vLLM. */
  profile?: ServerProfileName
  model?: string
  maxModelLen?: number
  /** Error body shape when a reply doesn't choose: vLLM >= 0.10.1 nests, older versions are flat. */
  errorShape?: ErrorShape
  tokenize?: boolean
  /** /v1/models' owned_by: `vllm` (default), `me` for llama-cpp-python, `library` for Ollama. */
  ownedBy?: string
  /** false: no /health route (404), as llama.cpp's Python server, Ollama and hosted APIs have none. */
  health?: boolean
  /** The reply to a chat request the queue has none for; it may wait (to order parallel requests in a test). */
  onChat?: (request: RecordedRequest) => Reply | Promise<Reply> | undefined
}

/** What the stand-in's /metrics reports beyond what it counts itself (requests running, prompt and cached tokens). */
export interface VllmState {
  kvCacheUsage: number
  waiting: number
  specDraftTokens: number
  specAcceptedTokens: number
}

interface VllmCounters extends VllmState {
  running: number
  promptTokens: number
  cachedTokens: number
  requests: number
}

/**
 * /metrics as vLLM's V1 engine (0.11, 0.12) writes it through prometheus_client: counters'
 * families named with `_total` and followed by `_created` gauges, a label per engine and model,
 * a histogram, and the Python process collectors.
 */
function vllmMetricsText(model: string, counters: VllmCounters): string {
  const labels = `engine="0",model_name="${model}"`
  const created = (Date.now() / 1000 - 60).toFixed(3)
  const family = (name: string, type: 'gauge' | 'counter', help: string, value: number) => {
    // Python writes floats: 3.0, 0.42.
    const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name}{${labels}} ${Number.isInteger(value) ? value.toFixed(1) : value}`]
    if (type === 'counter') {
      const base = name.replace(/_total$/, '')
      lines.push(`# HELP ${base}_created ${help}`, `# TYPE ${base}_created gauge`, `${base}_created{${labels}} ${created}`)
    }
    return lines.join('\n')
  }
  const buckets = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680]
  return [
    '# HELP python_gc_objects_collected_total Objects collected during gc',
    '# TYPE python_gc_objects_collected_total counter',
    'python_gc_objects_collected_total{generation="0"} 12795.0',
    '# HELP process_resident_memory_bytes Resident memory size in bytes.',
    '# TYPE process_resident_memory_bytes gauge',
    'process_resident_memory_bytes 1.853292544e+09',
    family('vllm:num_requests_running', 'gauge', 'Number of requests in model execution batches.', counters.running),
    family('vllm:num_requests_waiting', 'gauge', 'Number of requests waiting to be processed.', counters.waiting),
    family('vllm:kv_cache_usage_perc', 'gauge', 'KV-cache usage. 1 means 100 percent usage.', counters.kvCacheUsage),
    family('vllm:prefix_cache_queries_total', 'counter', 'Prefix cache queries, in terms of number of queried tokens.', counters.promptTokens),
    family('vllm:prefix_cache_hits_total', 'counter', 'Prefix cache hits, in terms of number of cached tokens.', counters.cachedTokens),
    family('vllm:spec_decode_num_drafts_total', 'counter', 'Number of spec decoding drafts.', Math.ceil(counters.specDraftTokens / 4)),
    family('vllm:spec_decode_num_draft_tokens_total', 'counter', 'Number of draft tokens.', counters.specDraftTokens),
    family('vllm:spec_decode_num_accepted_tokens_total', 'counter', 'Number of accepted tokens.', counters.specAcceptedTokens),
    family('vllm:request_success_total', 'counter', 'Count of successfully processed requests.', counters.requests),
    '# HELP vllm:e2e_request_latency_seconds Histogram of e2e request latency in seconds.',
    '# TYPE vllm:e2e_request_latency_seconds histogram',
    ...buckets.map((bound) => `vllm:e2e_request_latency_seconds_bucket{${labels},le="${bound.toFixed(1)}"} ${counters.requests}.0`),
    `vllm:e2e_request_latency_seconds_bucket{${labels},le="+Inf"} ${counters.requests}.0`,
    `vllm:e2e_request_latency_seconds_count{${labels}} ${counters.requests}.0`,
    `vllm:e2e_request_latency_seconds_sum{${labels}} ${(counters.requests * 0.25).toFixed(2)}`,
    '',
  ].join('\n')
}

export interface OpenAiTestServer {
  /** e.g. http://127.0.0.1:43123/v1 */
  baseUrl: string
  root: string
  requests: RecordedRequest[]
  chatRequests(): RecordedRequest[]
  enqueue(...replies: Reply[]): void
  setHandler(handler: OpenAiServerOptions['onChat']): void
  healthy: boolean
  /** What /metrics reports besides what the server counts itself; a test sets it. */
  vllm: VllmState
  /** Stops accepting connections and destroys open ones, like a crashed server. */
  kill(): Promise<void>
  close(): Promise<void>
}

const WORD = /\s*\S+|\s+/g

export function splitWords(text: string): string[] {
  return text.match(WORD) ?? []
}

function splitChars(text: string, size: number): string[] {
  const chars = Array.from(text)
  const pieces: string[] = []
  for (let index = 0; index < chars.length; index += size) pieces.push(chars.slice(index, index + size).join(''))
  return pieces
}

function pieces(text: string, deltaChars?: number): string[] {
  return deltaChars ? splitChars(text, deltaChars) : splitWords(text)
}

function errorBody(reply: Pick<ErrorReply, 'message' | 'errorType' | 'status'>, shape: ErrorShape): object {
  const type = reply.errorType ?? (reply.status >= 500 ? 'InternalServerError' : 'BadRequestError')
  return shape === 'nested'
    ? {error: {message: reply.message, type, param: null, code: reply.status}}
    : {object: 'error', message: reply.message, type, param: null, code: reply.status}
}

function promptTokenEstimate(body: any): number {
  return splitWords(JSON.stringify(body?.messages ?? [])).length
}

let idCounter = 0
const nextId = (prefix: string) => `${prefix}-${(++idCounter).toString(16).padStart(8, '0')}`

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function readBody(request: IncomingMessage): Promise<any> {
  const parts: Buffer[] = []
  for await (const part of request) parts.push(part as Buffer)
  const text = Buffer.concat(parts).toString('utf8')
  return text ? JSON.parse(text) : undefined
}

interface ChoiceDelta {
  role?: string
  content?: string
  reasoning?: string
  reasoning_content?: string
  tool_calls?: object[]
}

function streamEvents(reply: CompletionReply, body: any, model: string): {events: string[]; chunk: (delta: ChoiceDelta) => string} {
  const id = nextId('chatcmpl')
  const created = Math.floor(Date.now() / 1000)
  const chunk = (delta: ChoiceDelta, finishReason: string | null = null, extra: object = {}) =>
    JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{index: 0, delta, logprobs: null, finish_reason: finishReason, ...extra}],
    })
  const events: string[] = [chunk({role: 'assistant', content: ''})]
  let completionTokens = 0
  for (const piece of pieces(reply.reasoning ?? '', reply.deltaChars)) {
    events.push(chunk({[reply.reasoningField ?? 'reasoning_content']: piece}))
    completionTokens++
  }
  for (const piece of pieces(reply.text ?? '', reply.deltaChars)) {
    events.push(chunk({content: piece}))
    completionTokens++
  }
  reply.toolCalls?.forEach((call, index) => {
    events.push(
      chunk({
        tool_calls: [{id: call.id ?? nextId('chatcmpl-tool'), type: 'function', index, function: {name: call.name}}],
      }),
    )
    for (const piece of pieces(call.arguments, reply.deltaChars)) {
      events.push(chunk({tool_calls: [{index, function: {arguments: piece}}]}))
      completionTokens++
    }
  })
  const finishReason = reply.finishReason ?? (reply.toolCalls?.length ? 'tool_calls' : 'stop')
  if (reply.fault?.kind !== 'no-finish') events.push(chunk({content: ''}, finishReason, {stop_reason: null}))
  if (body?.stream_options?.include_usage && !reply.omitUsage) {
    const promptTokens = reply.promptTokens ?? promptTokenEstimate(body)
    events.push(
      JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [],
        usage: {
          prompt_tokens: promptTokens,
          total_tokens: promptTokens + completionTokens,
          completion_tokens: completionTokens,
          ...(reply.cachedTokens !== undefined ? {prompt_tokens_details: {cached_tokens: reply.cachedTokens}} : {}),
        },
      }),
    )
  }
  return {events, chunk}
}

function completionBody(reply: CompletionReply, body: any, model: string): object {
  const promptTokens = reply.promptTokens ?? promptTokenEstimate(body)
  const completionTokens =
    pieces(reply.text ?? '').length +
    pieces(reply.reasoning ?? '').length +
    (reply.toolCalls ?? []).reduce((sum, call) => sum + pieces(call.arguments).length, 0)
  const toolCalls = (reply.toolCalls ?? []).map((call) => ({
    id: call.id ?? nextId('chatcmpl-tool'),
    type: 'function',
    function: {name: call.name, arguments: call.arguments},
  }))
  return {
    id: nextId('chatcmpl'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.text ?? (toolCalls.length ? null : ''),
          refusal: null,
          annotations: null,
          audio: null,
          function_call: null,
          tool_calls: toolCalls,
          [reply.reasoningField ?? 'reasoning_content']: reply.reasoning ?? null,
        },
        logprobs: null,
        finish_reason: reply.finishReason ?? (toolCalls.length ? 'tool_calls' : 'stop'),
        stop_reason: null,
      },
    ],
    service_tier: null,
    system_fingerprint: null,
    usage: {
      prompt_tokens: promptTokens,
      total_tokens: promptTokens + completionTokens,
      completion_tokens: completionTokens,
      prompt_tokens_details: reply.cachedTokens !== undefined ? {cached_tokens: reply.cachedTokens} : null,
    },
    prompt_logprobs: null,
    kv_transfer_params: null,
  }
}

async function writeBytes(response: ServerResponse, data: string, maxBytes?: number): Promise<void> {
  const bytes = Buffer.from(data, 'utf8')
  if (!maxBytes) {
    response.write(bytes)
    return
  }
  for (let offset = 0; offset < bytes.length; offset += maxBytes) {
    response.write(bytes.subarray(offset, offset + maxBytes))
    // A macrotask between writes so the pieces travel as separate TCP segments.
    await new Promise((resolve) => setImmediate(resolve))
  }
}

async function sendStream(
  response: ServerResponse,
  reply: CompletionReply,
  recorded: RecordedRequest,
  model: string,
  errorShape: ErrorShape,
): Promise<void> {
  response.writeHead(200, {'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache'})
  response.flushHeaders()
  const {events, chunk} = streamEvents(reply, recorded.body, model)
  const streamed = {events: events.length, written: 0, closedEarly: false}
  recorded.streamed = streamed
  response.on('close', () => {
    if (!response.writableFinished) streamed.closedEarly = true
  })
  const fault = reply.fault
  for (const [index, event] of events.entries()) {
    if (response.destroyed) return
    if (fault && 'afterEvents' in fault && index === fault.afterEvents) {
      if (fault.kind === 'drop') {
        // Let what was written reach the client first, so the cut falls mid-answer.
        await new Promise((resolve) => response.write('', resolve))
        await sleep(5)
        response.socket?.destroy()
        return
      }
      if (fault.kind === 'hang') return
      if (fault.kind === 'endless') {
        const delta = chunk({content: ' more'})
        while (!response.destroyed) {
          await writeBytes(response, `data: ${delta}\n\n`)
          await sleep(fault.intervalMs)
        }
        return
      }
      if (fault.kind === 'malformed') await writeBytes(response, 'data: {"id": "chatcmpl-broken", "choices": [\n\n')
      if (fault.kind === 'error-event') {
        await writeBytes(response, `data: ${JSON.stringify(streamErrorBody(fault.message, errorShape))}\n\n`)
        await writeBytes(response, 'data: [DONE]\n\n')
        response.end()
        return
      }
    }
    if (reply.tokenDelayMs) await sleep(reply.tokenDelayMs)
    if (response.destroyed) return
    await writeBytes(response, `data: ${event}\n\n`, reply.writeBytes)
    streamed.written++
  }
  await writeBytes(response, 'data: [DONE]\n\n', reply.writeBytes)
  response.end()
}

/** vLLM wraps a generation error in `{"error": ...}` inside the stream, with the body in the server's shape. */
function streamErrorBody(message: string, shape: ErrorShape): object {
  const inner = {message, type: 'InternalServerError', param: null, code: 500}
  return shape === 'nested' ? {error: inner} : {error: {object: 'error', ...inner}}
}

function sendJson(response: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  response.writeHead(status, {'content-type': 'application/json', ...headers})
  response.end(JSON.stringify(body))
}

export async function startOpenAiServer(options: OpenAiServerOptions = {}): Promise<OpenAiTestServer> {
  const model = options.model ?? 'test-model'
  const maxModelLen = options.maxModelLen ?? 8192
  const errorShape = options.errorShape ?? 'nested'
  const queue: Reply[] = []
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  let handler = options.onChat

  const state = {healthy: true}
  const profile: ServerProfile = SERVER_PROFILES[options.profile ?? 'vllm']
  const hasHealth = options.health ?? profile.health
  const hasTokenize = options.tokenize ?? profile.tokenize
  const hasMetrics = 'metrics' in profile && profile.metrics
  const counters: VllmCounters = {kvCacheUsage: 0, waiting: 0, specDraftTokens: 0, specAcceptedTokens: 0, running: 0, promptTokens: 0, cachedTokens: 0, requests: 0}

  const server: Server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    let body: any
    try {
      body = await readBody(request)
    } catch {
      sendJson(response, 400, errorBody({status: 400, message: 'request body is not JSON'}, errorShape))
      return
    }
    const recorded: RecordedRequest = {method: request.method ?? 'GET', path, headers: request.headers, body}
    requests.push(recorded)

    if (path === '/version' && 'version' in profile && profile.version) {
      sendJson(response, 200, {version: profile.version})
      return
    }
    if (path === '/metrics' && hasMetrics) {
      response.writeHead(200, {'content-type': 'text/plain; version=0.0.4; charset=utf-8'})
      response.end(vllmMetricsText(model, counters))
      return
    }
    if (path === '/health' && hasHealth) {
      response.writeHead(state.healthy ? 200 : 503).end()
      return
    }
    if (path === '/v1/models') {
      if (!state.healthy) {
        sendJson(response, 503, errorBody({status: 503, message: 'the model is loading'}, errorShape))
        return
      }
      sendJson(response, 200, {
        object: 'list',
        data: [
          {
            id: model,
            object: 'model',
            created: Math.floor(Date.now() / 1000),
            owned_by: options.ownedBy ?? profile.ownedBy,
            root: model,
            parent: null,
            max_model_len: maxModelLen,
            permission: [],
          },
        ],
      })
      return
    }
    if (path === '/tokenize' && hasTokenize) {
      const text = body?.prompt ?? JSON.stringify(body?.messages ?? [])
      const tokens = splitWords(text).map((_, index) => index)
      sendJson(response, 200, {count: tokens.length, max_model_len: maxModelLen, tokens, token_strs: null})
      return
    }
    if (path !== '/v1/chat/completions' || request.method !== 'POST') {
      sendJson(response, 404, errorBody({status: 404, message: `Not Found: ${path}`, errorType: 'NotFoundError'}, errorShape))
      return
    }

    if (path === '/v1/chat/completions') {
      const refusal = profileRefusal(profile, body)
      if (refusal) {
        sendJson(response, profile.refusalStatus, errorBody({status: profile.refusalStatus, message: refusal}, errorShape))
        return
      }
      if (body?.stream && body?.tools?.length && !profile.streamsToolCalls) {
        // What llama-cpp-python does: a 200 stream that ends without a chunk.
        response.writeHead(200, {'content-type': 'text/event-stream'})
        response.end('data: [DONE]\n\n')
        return
      }
    }
    const reply = queue.shift() ?? (await handler?.(recorded))
    if (!reply) {
      sendJson(response, 500, errorBody({status: 500, message: 'test server: no scripted reply left'}, errorShape))
      return
    }
    if (reply.type === 'reset') {
      request.socket.destroy()
      return
    }
    if (reply.type === 'error') {
      sendJson(
        response,
        reply.status,
        errorBody(reply, reply.shape ?? errorShape),
        reply.retryAfter === undefined ? {} : {'retry-after': reply.retryAfter},
      )
      return
    }
    counters.running++
    counters.promptTokens += reply.promptTokens ?? promptTokenEstimate(body)
    counters.cachedTokens += reply.cachedTokens ?? 0
    try {
      if (body?.stream) await sendStream(response, reply, recorded, model, errorShape)
      else sendJson(response, 200, completionBody(reply, body, model))
    } finally {
      counters.running--
      counters.requests++
    }
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  const root = `http://127.0.0.1:${port}`

  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })

  return {
    baseUrl: `${root}/v1`,
    root,
    requests,
    chatRequests: () => requests.filter((request) => request.path === '/v1/chat/completions'),
    enqueue: (...replies) => queue.push(...replies),
    setHandler: (next) => {
      handler = next
    },
    get healthy() {
      return state.healthy
    },
    set healthy(value: boolean) {
      state.healthy = value
    },
    get vllm() {
      return counters
    },
    set vllm(value: VllmState) {
      Object.assign(counters, value)
    },
    kill: stop,
    close: () => (server.listening ? stop() : Promise.resolve()),
  }
}
