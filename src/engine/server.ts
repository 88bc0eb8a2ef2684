/**
 * The embedded engine behind the OpenAI-compatible surface the agent already talks to:
 * `/v1/models` and `/v1/chat/completions` (streamed or not, tool calls, vLLM's
 * `structured_outputs` and OpenAI's `response_format`), on 127.0.0.1 only.
 */
import {randomUUID} from 'node:crypto'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {z} from 'zod'

import type {EmbeddedEngine, EngineMessage, EngineRequest, EngineResult} from './engine.js'
import {ModelError} from './errors.js'

const contentSchema = z.union([z.string(), z.array(z.object({type: z.string(), text: z.string().optional()}).loose()), z.null()]).optional()
const requestSchema = z
  .object({
    model: z.string().optional(),
    messages: z
      .array(
        z
          .object({
            role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
            content: contentSchema,
            tool_calls: z.array(z.object({function: z.object({name: z.string(), arguments: z.string()})}).loose()).optional(),
          })
          .loose(),
      )
      .min(1),
    stream: z.boolean().optional(),
    max_tokens: z.int().positive().optional(),
    max_completion_tokens: z.int().positive().optional(),
    temperature: z.number().min(0).optional(),
    seed: z.int().optional(),
    tools: z.array(z.object({type: z.literal('function'), function: z.object({name: z.string(), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional()})})).optional(),
    tool_choice: z.union([z.enum(['auto', 'none', 'required']), z.object({type: z.literal('function'), function: z.object({name: z.string()})})]).optional(),
    response_format: z
      .union([
        z.object({type: z.literal('text')}),
        // llama.cpp's form: a json_object that carries its schema.
        z.object({type: z.literal('json_object'), schema: z.record(z.string(), z.unknown()).optional()}),
        // OpenAI's: the schema is optional (any JSON value then).
        z.object({type: z.literal('json_schema'), json_schema: z.object({schema: z.record(z.string(), z.unknown()).optional()}).loose()}),
      ])
      .optional(),
    structured_outputs: z.object({json: z.record(z.string(), z.unknown())}).loose().optional(),
    stream_options: z.object({include_usage: z.boolean().optional()}).loose().nullish(),
    n: z.int().positive().optional(),
    stop: z.union([z.string(), z.array(z.string())]).nullish(),
    logprobs: z.boolean().nullish(),
    top_logprobs: z.int().nullish(),
  })
  .loose()

type ChatRequest = z.infer<typeof requestSchema>

function text(content: ChatRequest['messages'][number]['content']): string {
  if (typeof content === 'string') return content
  return (content ?? []).map((part) => part.text ?? '').join('')
}

/** What the engine cannot do, said plainly (a 400), rather than silently ignored. */
function unsupported(body: ChatRequest): string | undefined {
  if ((body.n ?? 1) > 1) return '`n` > 1 is not supported: the embedded engine returns one choice; send n = 1 and repeat the request for more.'
  if (body.logprobs || body.top_logprobs) return '`logprobs` are not supported by the embedded engine; leave logprobs and top_logprobs unset.'
  const stops = typeof body.stop === 'string' ? [body.stop] : (body.stop ?? [])
  if (stops.some((stop) => stop !== '')) return '`stop` sequences are not supported by the embedded engine; cut the answer client-side, or bound it with max_tokens.'
  return undefined
}

type JsonObject = Record<string, unknown>

/**
 * Tool parameters with their local `$ref`s (`#/$defs/X`, `#/definitions/X`) inlined, as
 * pydantic_function_tool and zod emit them: the engine's schema decoder reads plain schemas.
 */
function inlineRefs(schema: JsonObject): JsonObject {
  const definitions = {...(schema.definitions as JsonObject | undefined), ...(schema.$defs as JsonObject | undefined)}
  const resolve = (node: unknown, seen: readonly string[]): unknown => {
    if (Array.isArray(node)) return node.map((item) => resolve(item, seen))
    if (node === null || typeof node !== 'object') return node
    const {$ref: ref, ...rest} = node as JsonObject
    if (typeof ref === 'string') {
      const name = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref)?.[1]
      const target = name === undefined ? undefined : definitions[decodeURIComponent(name)]
      if (target === undefined) throw new ModelError(`tool parameters: $ref ${ref} names no definition in $defs or definitions`)
      if (seen.includes(ref)) throw new ModelError(`tool parameters: $ref ${ref} is recursive, which the embedded engine cannot decode`)
      return resolve({...(target as JsonObject), ...rest}, [...seen, ref])
    }
    return Object.fromEntries(Object.entries(rest).filter(([key]) => key !== '$defs' && key !== 'definitions').map(([key, value]) => [key, resolve(value, seen)]))
  }
  return resolve(schema, []) as JsonObject
}

function jsonSchemaOf(body: ChatRequest): JsonObject | undefined {
  if (body.structured_outputs) return body.structured_outputs.json
  const format = body.response_format
  if (format?.type === 'json_schema') return format.json_schema.schema ?? {}
  if (format?.type === 'json_object') return format.schema ?? {type: 'object'}
  return undefined
}

function toEngineRequest(body: ChatRequest): EngineRequest {
  const messages: EngineMessage[] = body.messages.map((message) => ({
    role: message.role,
    content: text(message.content),
    toolCalls: message.tool_calls?.map((call) => call.function),
  }))
  const jsonSchema = jsonSchemaOf(body)
  const choice = body.tool_choice
  return {
    messages,
    jsonSchema: jsonSchema && inlineRefs(jsonSchema),
    tools: body.tools?.map((tool) => (tool.function.parameters ? {...tool.function, parameters: inlineRefs(tool.function.parameters)} : tool.function)),
    toolChoice: typeof choice === 'object' ? {name: choice.function.name} : choice,
    maxTokens: body.max_completion_tokens ?? body.max_tokens,
    temperature: body.temperature,
    seed: body.seed,
  }
}

const toolCallsWire = (result: EngineResult) =>
  result.toolCalls.map((call, index) => ({index, id: `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`, type: 'function' as const, function: call}))

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {'content-type': 'application/json'})
  res.end(JSON.stringify(body))
}

/** OpenAI's error shape: `code` is a string or null, never the status. */
function sendError(res: ServerResponse, status: number, message: string, type: string, code: string | null = null): void {
  sendJson(res, status, {error: {message, type, param: null, code}})
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

export interface ModelServer {
  url: string
  port: number
  close(): Promise<void>
}

/** What the server needs of an engine (a bench or test may wrap the embedded one to watch its answers). */
export type CompletionEngine = Pick<EmbeddedEngine, 'name' | 'contextSize' | 'complete'>

export async function serveModel(engine: CompletionEngine, options: {port?: number} = {}): Promise<ModelServer> {
  const created = Math.floor(Date.now() / 1000)

  async function chatCompletions(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: ChatRequest
    try {
      const parsed = requestSchema.safeParse(await readBody(req))
      if (!parsed.success) return sendError(res, 400, z.prettifyError(parsed.error), 'BadRequestError')
      body = parsed.data
    } catch {
      return sendError(res, 400, 'The request body is not JSON.', 'BadRequestError')
    }
    const refused = unsupported(body)
    if (refused) return sendError(res, 400, refused, 'BadRequestError', 'unsupported_parameter')
    const id = `chatcmpl-${randomUUID()}`
    const base = {id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: engine.name}
    const abort = new AbortController()
    res.on('close', () => abort.abort())
    const request = {...toEngineRequest(body), signal: abort.signal}

    if (!body.stream) {
      const result = await engine.complete(request)
      const toolCalls = toolCallsWire(result)
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created: base.created,
        model: engine.name,
        choices: [{index: 0, message: {role: 'assistant', content: toolCalls.length > 0 ? null : result.text, ...(toolCalls.length > 0 ? {tool_calls: toolCalls.map(({index: _, ...call}) => call)} : {})}, finish_reason: result.finishReason}],
        usage: {prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, total_tokens: result.promptTokens + result.completionTokens},
      })
    }

    res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive'})
    const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`)
    send({...base, choices: [{index: 0, delta: {role: 'assistant', content: ''}, finish_reason: null}]})
    try {
      const result = await engine.complete({...request, onText: (chunk) => send({...base, choices: [{index: 0, delta: {content: chunk}, finish_reason: null}]})})
      const toolCalls = toolCallsWire(result)
      if (toolCalls.length > 0) send({...base, choices: [{index: 0, delta: {tool_calls: toolCalls}, finish_reason: null}]})
      send({...base, choices: [{index: 0, delta: {}, finish_reason: result.finishReason}]})
      // A chunk without choices only when asked for: common client code reads chunk.choices[0].
      if (body.stream_options?.include_usage) {
        send({...base, choices: [], usage: {prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, total_tokens: result.promptTokens + result.completionTokens}})
      }
    } catch (error) {
      send({error: {message: (error as Error).message, type: 'InternalServerError', param: null, code: null}})
    }
    res.end('data: [DONE]\n\n')
  }

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]
    const handle = async () => {
      const model = {id: engine.name, object: 'model', created, owned_by: 'pyagent', max_model_len: engine.contextSize}
      if (req.method === 'GET' && path === '/v1/models') return sendJson(res, 200, {object: 'list', data: [model]})
      if (req.method === 'GET' && path?.startsWith('/v1/models/')) {
        const id = decodeURIComponent(path.slice('/v1/models/'.length))
        if (id === engine.name) return sendJson(res, 200, model)
        return sendError(res, 404, `The model ${JSON.stringify(id)} does not exist; this server serves ${JSON.stringify(engine.name)}.`, 'NotFoundError', 'model_not_found')
      }
      if (req.method === 'GET' && path === '/health') return sendJson(res, 200, {})
      if (req.method === 'POST' && path === '/v1/chat/completions') return chatCompletions(req, res)
      return sendError(res, 404, `No route ${req.method} ${path}; this server offers /v1/models and /v1/chat/completions.`, 'NotFoundError')
    }
    handle().catch((error: Error) => {
      if (res.headersSent) return res.end()
      sendError(res, error instanceof ModelError ? 400 : 500, error.message, error instanceof ModelError ? 'BadRequestError' : 'InternalServerError')
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', resolve)
  })
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
