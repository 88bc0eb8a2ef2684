/**
 * The embedded engine: a cached GGUF run in-process by node-llama-cpp, which is imported only
 * here and only when a model is loaded (it is large and the vLLM path never needs it).
 */
import type {ChatHistoryItem, ChatModelFunctions, LlamaChat, LlamaModel, Token, TokenBias} from 'node-llama-cpp'

import {constrainAdvance, constrainCompileSchema, constrainIndexBuild, constrainIndexMask} from '../native.js'

import {ModelError} from './errors.js'
import {readGgufVocabulary, type GgufVocabulary} from './gguf-vocabulary.js'
import type {ModelEntry} from './models.js'
import {verifyModel} from './models.js'

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
  /** Time spent computing and applying token masks, in ms (0 when unconstrained). */
  maskMs: number
  generationMs: number
}

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
export function toolCallSchema(tools: EngineTool[]): Record<string, unknown> {
  const variants = tools.map((tool) => ({
    type: 'object',
    properties: {name: {const: tool.name}, arguments: tool.parameters ?? {type: 'object', properties: {}}},
    required: ['name', 'arguments'],
  }))
  return variants.length === 1 ? variants[0]! : {oneOf: variants}
}

export class EmbeddedEngine {
  private readonly queue = new Queue()
  private vocabulary: Promise<GgufVocabulary> | undefined

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

  complete(request: EngineRequest): Promise<EngineResult> {
    return this.queue.run(() => this.generate(request))
  }

  /**
   * Sampling under the schema's native token index: before each token the allowed-token mask
   * becomes a bias that rules out every other token; each sampled token advances the DFA state.
   */
  private async maskedSampling(schema: Record<string, unknown>) {
    this.vocabulary ??= readGgufVocabulary(this.entry.file)
    const {vocabulary, eos} = await this.vocabulary
    let dfa
    try {
      dfa = constrainCompileSchema(JSON.stringify(schema))
    } catch (error) {
      throw new ModelError(`The embedded engine cannot decode under this JSON schema: ${(error as Error).message}`)
    }
    const index = constrainIndexBuild(dfa.handle, vocabulary.handle, eos, false)
    let state = dfa.start
    const stats = {maskMs: 0}
    // States recur (every character inside a string is one state), so each state's bias is built once.
    const biasOfState = new Map<number, TokenBias>()
    const tokenBias = () => {
      const started = performance.now()
      const cached = biasOfState.get(state)
      if (cached) {
        stats.maskMs += performance.now() - started
        return cached
      }
      const mask = constrainIndexMask(index.handle, state)
      const bias = this.newTokenBias()
      // TokenBias.set tokenizes its input and checks each token (about 4 µs a token, 49k tokens a
      // mask); with node-llama-cpp pinned, the map it fills is written directly with its own -Infinity.
      const banned = (bias as unknown as {_biases: Map<number, number>})._biases
      for (let word = 0; word < mask.length; word++) {
        const bits = mask[word]!
        if (bits === 0xffffffff) continue
        for (let bit = 0; bit < 32; bit++) {
          const token = word * 32 + bit
          if (token < vocabulary.size && (bits & (1 << bit)) === 0) banned.set(token, -Infinity)
        }
      }
      biasOfState.set(state, bias)
      stats.maskMs += performance.now() - started
      return bias
    }
    const advance = (tokens: readonly Token[]) => {
      const started = performance.now()
      for (const token of tokens) if (state !== 0) state = constrainAdvance(index.handle, state, token)
      stats.maskMs += performance.now() - started
    }
    return {tokenBias, advance, stats}
  }

  private async generate(request: EngineRequest): Promise<EngineResult> {
    const history = toHistory(request.messages)
    const tools = request.toolChoice === 'none' ? [] : (request.tools ?? [])
    const forced = request.toolChoice === 'required' || typeof request.toolChoice === 'object'
    const forcedTools = typeof request.toolChoice === 'object' ? tools.filter((tool) => tool.name === (request.toolChoice as {name: string}).name) : tools
    if (forced && forcedTools.length === 0) throw new ModelError('tool_choice asks for a tool call but names no tool that the request offers.')

    const schema = forced ? toolCallSchema(forcedTools) : request.jsonSchema
    const functions: ChatModelFunctions | undefined =
      !forced && !schema && tools.length > 0
        ? Object.fromEntries(tools.map((tool) => [tool.name, {description: tool.description, params: tool.parameters as never}]))
        : undefined
    const promptTokens = this.model.tokenize(history.map((item) => (item.type === 'model' ? item.response.join('') : String(item.text))).join('\n')).length
    let completionTokens = 0
    const masking = schema && request.masks !== false ? await this.maskedSampling(schema) : undefined
    const started = performance.now()
    const common = {
      maxTokens: request.maxTokens ?? 512,
      temperature: request.temperature ?? 0,
      seed: request.seed,
      signal: request.signal,
      tokenBias: masking?.tokenBias,
      onToken: (tokens: Token[]) => {
        completionTokens += tokens.length
        masking?.advance(tokens)
      },
    }
    const onTextChunk = forced ? undefined : request.onText
    const response = functions
      ? await this.chat.generateResponse(history, {...common, functions, onTextChunk})
      : await this.chat.generateResponse(history, {...common, onTextChunk})
    const timing = {maskMs: masking?.stats.maskMs ?? 0, generationMs: performance.now() - started}

    const stop = response.metadata.stopReason
    if (forced) {
      const call = JSON.parse(response.response) as {name: string; arguments: unknown}
      return {text: '', toolCalls: [{name: call.name, arguments: JSON.stringify(call.arguments)}], finishReason: 'tool_calls', promptTokens, completionTokens, ...timing}
    }
    const toolCalls = (response.functionCalls ?? []).map((call) => ({name: call.functionName, arguments: JSON.stringify(call.params ?? {})}))
    return {
      text: response.response,
      toolCalls,
      finishReason: toolCalls.length > 0 ? 'tool_calls' : stop === 'maxTokens' ? 'length' : 'stop',
      promptTokens,
      completionTokens,
      ...timing,
    }
  }

  async close(): Promise<void> {
    await this.model.dispose()
  }
}
