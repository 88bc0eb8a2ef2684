/**
 * The embedded engine: a cached GGUF run in-process by node-llama-cpp, which is imported only
 * here and only when a model is loaded (it is large and the vLLM path never needs it).
 */
import type {ChatHistoryItem, ChatModelFunctions, LlamaChat, LlamaModel, Token, TokenBias} from 'node-llama-cpp'

import type {Vocabulary} from '../llm/structured/index.js'

import {ModelError} from './errors.js'
import {generate} from './generation.js'
import {readGgufVocabulary} from './gguf-vocabulary.js'
import type {ModelEntry} from './models.js'
import {verifyModel} from './models.js'
import {SchemaCursor, SchemaDecoder} from './schema-decoder.js'

export interface EngineMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool'
  content: string
  toolCalls?: {name: string; arguments: string}[]
}

export interface EngineTool {
  name: string
  description?: string
  parameters?: Record<string, unknown>
}

export interface EngineRequest {
  messages: EngineMessage[]
  /** Answer must be JSON matching this schema. */
  jsonSchema?: Record<string, unknown>
  tools?: EngineTool[]
  /** 'required' or a tool name forces a call; 'auto' lets the model choose; 'none' ignores tools. */
  toolChoice?: 'auto' | 'none' | 'required' | {name: string}
  maxTokens?: number
  temperature?: number
  seed?: number
  /** Decode structured requests under the native token masks (default); off only to measure what they buy. */
  masks?: boolean
  signal?: AbortSignal
  onText?: (chunk: string) => void
}

export interface EngineResult {
  text: string
  toolCalls: {name: string; arguments: string}[]
  finishReason: 'stop' | 'length' | 'tool_calls'
  promptTokens: number
  completionTokens: number
  /** Completion tokens the model sampled; the others were forced by the schema (jump-forward) or closed it. */
  sampledTokens: number
  /** Time spent on the token masks (biases, forced text, DFA steps), in ms; 0 when unconstrained. */
  maskMs: number
  generationMs: number
}

/** A step of an agent is one short JSON action: a bound keeps a rambling small model's step short. */
export const DEFAULT_MAX_TOKENS = 256

/** Serialises requests: one context sequence, one generation at a time. */
class Queue {
  private tail: Promise<unknown> = Promise.resolve()
  run<T>(job: () => Promise<T>): Promise<T> {
    const next = this.tail.then(job, job)
    this.tail = next.catch(() => undefined)
    return next
  }
}

function toHistory(messages: EngineMessage[]): ChatHistoryItem[] {
  return messages.map((message): ChatHistoryItem => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return {type: 'system', text: message.content}
      case 'assistant': {
        const calls = (message.toolCalls ?? []).map((call) => `\n${JSON.stringify({name: call.name, arguments: JSON.parse(call.arguments || '{}')})}`)
        return {type: 'model', response: [message.content + calls.join('')]}
      }
      case 'tool':
        return {type: 'user', text: `Tool result:\n${message.content}`}
      default:
        return {type: 'user', text: message.content}
    }
  })
}

/** A JSON schema for "call one of these tools": {name, arguments} with each tool's parameters. */
function toolCallSchema(tools: EngineTool[]): Record<string, unknown> {
  const variants = tools.map((tool) => ({
    type: 'object',
    properties: {name: {const: tool.name}, arguments: tool.parameters ?? {type: 'object', properties: {}}},
    required: ['name', 'arguments'],
  }))
  return variants.length === 1 ? variants[0]! : {oneOf: variants}
}

/** Compiled schemas kept per engine: an agent sends the same few schemas (its actions, the critic's verdict) again and again. */
const CACHED_SCHEMAS = 16

export class EmbeddedEngine {
  private readonly queue = new Queue()
  private vocabulary: Promise<Vocabulary> | undefined
  private readonly decoders = new Map<string, SchemaDecoder>()

  private constructor(
    readonly entry: ModelEntry,
    private readonly model: LlamaModel,
    private readonly chat: LlamaChat,
    private readonly newTokenBias: () => TokenBias,
  ) {}

  static async load(entry: ModelEntry, options: {contextSize?: number; threads?: number} = {}): Promise<EmbeddedEngine> {
    await verifyModel(entry)
    const {getLlama, LlamaChat: Chat, LlamaLogLevel, TokenBias: Bias} = await import('node-llama-cpp')
    const llama = await getLlama({gpu: false, logLevel: LlamaLogLevel.error, build: 'never'})
    let model: LlamaModel
    try {
      model = await llama.loadModel({modelPath: entry.file})
    } catch (error) {
      throw new ModelError(`Could not load ${entry.name} from ${entry.file}: ${(error as Error).message}. Run \`pyagent model rm ${entry.name}\` and pull it again.`)
    }
    const context = await model.createContext({contextSize: options.contextSize ?? 4096, sequences: 1, threads: options.threads ?? 1})
    return new EmbeddedEngine(entry, model, new Chat({contextSequence: context.getSequence()}), () => new Bias(model.tokenizer))
  }

  get name(): string {
    return this.entry.name
  }

  /** Tokens the model sees at once: prompt and answer together. */
  get contextSize(): number {
    return this.chat.sequence.contextSize
  }

  complete(request: EngineRequest): Promise<EngineResult> {
    return this.queue.run(() => this.generate(request))
  }

  private async decoder(schema: Record<string, unknown>): Promise<SchemaDecoder> {
    const key = JSON.stringify(schema)
    let decoder = this.decoders.get(key)
    if (!decoder) {
      this.vocabulary ??= readGgufVocabulary(this.entry.file)
      const vocabulary = await this.vocabulary
      decoder = SchemaDecoder.compile(schema, vocabulary, {tokenize: (text) => this.model.tokenize(text, false), newTokenBias: this.newTokenBias})
      if (this.decoders.size >= CACHED_SCHEMAS) this.decoders.delete(this.decoders.keys().next().value!)
      this.decoders.set(key, decoder)
    }
    return decoder
  }

  private async generate(request: EngineRequest): Promise<EngineResult> {
    const history = toHistory(request.messages)
    const tools = request.toolChoice === 'none' ? [] : (request.tools ?? [])
    const forced = request.toolChoice === 'required' || typeof request.toolChoice === 'object'
    const forcedTools = typeof request.toolChoice === 'object' ? tools.filter((tool) => tool.name === (request.toolChoice as {name: string}).name) : tools
    if (forced && forcedTools.length === 0) throw new ModelError('tool_choice asks for a tool call but names no tool that the request offers.')
    const schema = forced ? toolCallSchema(forcedTools) : request.jsonSchema
    if (!schema && tools.length > 0) return this.chooseTool(history, tools, request)

    const cursor = schema && request.masks !== false ? new SchemaCursor(await this.decoder(schema)) : undefined
    const generation = await generate(this.chat.sequence, this.prompt(history), {
      maxTokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
      temperature: request.temperature ?? 0,
      seed: request.seed,
      cursor,
      signal: request.signal,
      onText: forced ? undefined : request.onText,
    })
    const {text, finishReason, ...usage} = generation
    const call = forced ? parseToolCall(text) : undefined
    if (call) return {text: '', toolCalls: [call], finishReason: 'tool_calls', ...usage}
    return {text, toolCalls: [], finishReason, ...usage}
  }

  /** The conversation in the model's chat format, up to where its answer starts. */
  private prompt(history: ChatHistoryItem[], functions?: ChatModelFunctions): Token[] {
    return this.chat.chatWrapper
      .generateContextState({chatHistory: [...history, {type: 'model', response: []}], availableFunctions: functions})
      .contextText.tokenize(this.model.tokenizer)
  }

  /** tool_choice auto: node-llama-cpp's function calling in the model's own chat format decides between text and a call. */
  private async chooseTool(history: ChatHistoryItem[], tools: EngineTool[], request: EngineRequest): Promise<EngineResult> {
    const functions: ChatModelFunctions = Object.fromEntries(tools.map((tool) => [tool.name, {description: tool.description, params: tool.parameters as never}]))
    const started = performance.now()
    let completionTokens = 0
    const response = await this.chat.generateResponse(history, {
      maxTokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
      temperature: request.temperature ?? 0,
      seed: request.seed,
      signal: request.signal,
      functions,
      onTextChunk: request.onText,
      onToken: (tokens: Token[]) => {
        completionTokens += tokens.length
      },
    })
    const toolCalls = (response.functionCalls ?? []).map((call) => ({name: call.functionName, arguments: JSON.stringify(call.params ?? {})}))
    return {
      text: response.response,
      toolCalls,
      finishReason: toolCalls.length > 0 ? 'tool_calls' : response.metadata.stopReason === 'maxTokens' ? 'length' : 'stop',
      promptTokens: this.prompt(history, functions).length,
      completionTokens,
      sampledTokens: completionTokens,
      maskMs: 0,
      generationMs: performance.now() - started,
    }
  }

  async close(): Promise<void> {
    await this.model.dispose()
  }
}

/** A forced tool call's {name, arguments}; undefined when the text is not one (only possible with the masks off). */
function parseToolCall(text: string): {name: string; arguments: string} | undefined {
  try {
    const call = JSON.parse(text) as {name?: unknown; arguments?: unknown}
    return typeof call.name === 'string' ? {name: call.name, arguments: JSON.stringify(call.arguments ?? {})} : undefined
  } catch {
    return undefined
  }
}
