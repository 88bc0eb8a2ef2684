/**
 * The embedded engine: a cached GGUF run in-process by node-llama-cpp, which is imported only
 * here and only when a model is loaded (it is large and the vLLM path never needs it). Every
 * answer comes from one token loop (generation.ts); a structured one (a JSON schema, a tool call)
 * decodes under the native token masks.
 */
import {availableParallelism} from 'node:os'
import type {ChatHistoryItem, ChatWrapper, LlamaContextSequence, LlamaModel, Token, TokenBias} from 'node-llama-cpp'

import type {Vocabulary} from '../llm/structured/index.js'

import {engineBuildPaths, restoreEngineBuild} from './engine-build.js'
import {ModelError} from './errors.js'
import {generate} from './generation.js'
import {readGgufVocabulary} from './gguf-vocabulary.js'
import type {ModelEntry} from './models.js'
import {rememberAbout, verifyModel} from './models.js'
import {SchemaCursor, SchemaDecoder} from './schema-decoder.js'
import {type EngineTool, formatToolCall, readToolAnswer, type ToolCall, toolAnswerSchema, toolsInstruction} from './tool-calls.js'

export interface EngineMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool'
  content: string
  toolCalls?: ToolCall[]
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
  toolCalls: ToolCall[]
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

/** The conversation as node-llama-cpp's chat history; the tools' instruction ends the system prompt. */
function toHistory(messages: EngineMessage[], instruction: string | undefined): ChatHistoryItem[] {
  const history = messages.map((message): ChatHistoryItem => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return {type: 'system', text: message.content}
      case 'assistant':
        return {type: 'model', response: [[message.content, ...(message.toolCalls ?? []).map(formatToolCall)].filter(Boolean).join('\n')]}
      case 'tool':
        return {type: 'user', text: `Tool result:\n${message.content}`}
      default:
        return {type: 'user', text: message.content}
    }
  })
  if (!instruction) return history
  const system = history.findIndex((item) => item.type === 'system')
  if (system < 0) return [{type: 'system', text: instruction}, ...history]
  return history.map((item, index) => (index === system && item.type === 'system' ? {type: 'system', text: `${String(item.text)}\n\n${instruction}`} : item))
}

/**
 * The model's chat wrapper: by the type recorded for this file when there is one, else resolved
 * from the GGUF (its template tried against every known wrapper, ~0.6 s) and recorded. A wrapper
 * built from the template itself has no type to record and is resolved each time.
 */
async function chatWrapperFor(entry: ModelEntry, model: LlamaModel): Promise<ChatWrapper> {
  const {chatWrappers, resolveChatWrapper} = await import('node-llama-cpp')
  const known = entry.chatWrapper as keyof typeof chatWrappers | undefined
  if (known && known in chatWrappers) {
    const wrapper = resolveChatWrapper({type: known, bosString: model.tokens.bosString, filename: model.filename, fileInfo: model.fileInfo, tokenizer: model.tokenizer})
    if (wrapper) return wrapper
  }
  const wrapper = resolveChatWrapper(model)
  const type = Object.entries(chatWrappers).find(([, Wrapper]) => wrapper.constructor === Wrapper)?.[0]
  if (type && type !== 'jinjaTemplate' && type !== 'template') await rememberAbout(entry, {chatWrapper: type}).catch(() => undefined)
  return wrapper
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
    private readonly sequence: LlamaContextSequence,
    private readonly chatWrapper: ChatWrapper,
    private readonly newTokenBias: () => TokenBias,
    /** The OpenMP source build `model pull` made ('localBuild') or node-llama-cpp's prebuilt binaries. */
    readonly buildType: 'localBuild' | 'prebuilt',
  ) {}

  /** `threads`: 0 or none is every core (prompts are evaluated in batches, which scale with cores). */
  static async load(entry: ModelEntry, options: {contextSize?: number; threads?: number} = {}): Promise<EmbeddedEngine> {
    await verifyModel(entry)
    // The OpenMP build `model pull` made, back in node-llama-cpp's folder if `npm ci` emptied it;
    // `build: 'never'` because a task must never wait on a compile.
    await restoreEngineBuild(engineBuildPaths()).catch(() => undefined)
    const {getLlama, LlamaLogLevel, TokenBias: Bias} = await import('node-llama-cpp')
    const llama = await getLlama({gpu: false, logLevel: LlamaLogLevel.error, build: 'never'})
    let model: LlamaModel
    try {
      model = await llama.loadModel({modelPath: entry.file})
    } catch (error) {
      throw new ModelError(`Could not load ${entry.name} from ${entry.file}: ${(error as Error).message}. Run \`pyagent model rm ${entry.name}\` and pull it again.`)
    }
    const threads = options.threads || availableParallelism()
    const context = await model.createContext({contextSize: options.contextSize ?? 4096, sequences: 1, threads})
    return new EmbeddedEngine(entry, model, context.getSequence(), await chatWrapperFor(entry, model), () => new Bias(model.tokenizer), llama.buildType)
  }

  get name(): string {
    return this.entry.name
  }

  /** Tokens the model sees at once: prompt and answer together. */
  get contextSize(): number {
    return this.sequence.contextSize
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
    const choice = request.toolChoice ?? 'auto'
    const tools = choice === 'none' ? [] : typeof choice === 'object' ? (request.tools ?? []).filter((tool) => tool.name === choice.name) : (request.tools ?? [])
    if (typeof choice === 'object' && tools.length === 0) throw new ModelError(`tool_choice names the tool "${choice.name}", which the request does not offer.`)
    if (choice === 'required' && tools.length === 0) throw new ModelError('tool_choice is "required" but the request offers no tools.')
    const withTools = tools.length > 0
    if (withTools && request.jsonSchema) throw new ModelError('The embedded engine takes tools or a JSON response format in one request, not both.')
    const mayAnswerText = choice === 'auto'
    const schema = withTools ? toolAnswerSchema(tools, mayAnswerText) : request.jsonSchema

    const cursor = schema && request.masks !== false ? new SchemaCursor(await this.decoder(schema)) : undefined
    const history = toHistory(request.messages, withTools ? toolsInstruction(tools, mayAnswerText) : undefined)
    const prompt = this.chatWrapper.generateContextState({chatHistory: [...history, {type: 'model', response: []}]}).contextText.tokenize(this.model.tokenizer)
    const {text, finishReason, ...usage} = await generate(this.sequence, prompt, {
      maxTokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
      temperature: request.temperature ?? 0,
      seed: request.seed,
      cursor,
      signal: request.signal,
      // A tool answer is JSON around the text: the text goes out once the answer is read.
      onText: withTools ? undefined : request.onText,
    })
    if (!withTools) return {text, toolCalls: [], finishReason, ...usage}
    const answer = readToolAnswer(text)
    if ('call' in answer) return {text: '', toolCalls: [answer.call], finishReason: 'tool_calls', ...usage}
    request.onText?.(answer.text)
    return {text: answer.text, toolCalls: [], finishReason, ...usage}
  }

  async close(): Promise<void> {
    await this.model.dispose()
  }
}
