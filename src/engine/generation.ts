/**
 * The embedded engine's token loop on a node-llama-cpp context sequence. Only the part of the
 * prompt the sequence does not already hold is evaluated (an agent's conversation grows by
 * appending). Under a schema every token is sampled under its state's bias, the text the schema
 * forces is fed without sampling (jump-forward), and when the token budget is about to run out
 * the shortest completion is fed, so a constrained answer always ends complete.
 */
import type {LlamaContextSequence, LlamaModel, Token} from 'node-llama-cpp'

import {ModelError} from './errors.js'
import type {SchemaCursor} from './schema-decoder.js'

export interface GenerationOptions {
  maxTokens: number
  temperature: number
  seed?: number
  /** Decodes under a schema's token masks; without it the model samples freely. */
  cursor?: SchemaCursor
  signal?: AbortSignal
  onText?: (chunk: string) => void
}

export interface Generation {
  text: string
  /** 'length' when the budget ran out first (never under a schema: the answer is closed instead). */
  finishReason: 'stop' | 'length'
  promptTokens: number
  /** Tokens of the answer: sampled, forced by the schema and its closing. */
  completionTokens: number
  /** Tokens the model sampled; the rest were fed without sampling. */
  sampledTokens: number
  maskMs: number
  generationMs: number
}

/** With this many tokens left, the shortest completion is checked before each sample. */
const CLOSING_WINDOW = 48
/** Tokens kept in hand when deciding to close: one more sample may open a structure that needs closing too. */
const CLOSING_MARGIN = 4

/** Text out as the tokens come, holding back a token that ends inside a character. */
class TextStream {
  text = ''
  private pending: Token[] = []
  private readonly previous: Token[] = []

  constructor(
    private readonly model: LlamaModel,
    private readonly onText?: (chunk: string) => void,
  ) {}

  push(tokens: readonly Token[], final = false): void {
    this.pending.push(...tokens)
    const chunk = this.model.detokenize(this.pending, false, this.previous)
    if (chunk === '' || (!final && chunk.endsWith('\uFFFD'))) return
    this.text += chunk
    this.previous.push(...this.pending)
    this.pending = []
    this.onText?.(chunk)
  }
}

/** Fewer tokens than this left for the answer is no room at all: even a schema's shortest answer needs some. */
const MIN_ANSWER_TOKENS = 32

export async function generate(sequence: LlamaContextSequence, prompt: Token[], options: GenerationOptions): Promise<Generation> {
  const started = performance.now()
  const {cursor} = options
  const available = sequence.contextSize - prompt.length
  if (available < MIN_ANSWER_TOKENS) {
    throw new ModelError(`The conversation needs ${prompt.length} tokens of the engine's ${sequence.contextSize}-token context, leaving no room for an answer: shorten it.`)
  }
  // max_tokens is a bound, not a demand: the client sizes it with an estimate of this tokenizer's
  // counts, and only the engine knows the prompt's exact length. A schema's answer still closes.
  const maxTokens = Math.min(options.maxTokens, available)
  await sequence.adaptStateToTokens(prompt, false)
  // The last prompt token is evaluated again when the sequence holds it all: its logits give the first sample.
  if (sequence.nextTokenIndex >= prompt.length) await sequence.eraseContextTokenRanges([{start: prompt.length - 1, end: sequence.nextTokenIndex}])

  const stream = new TextStream(sequence.model, options.onText)
  const answer: Token[] = []
  const take = (tokens: readonly Token[]) => {
    answer.push(...tokens)
    stream.push(tokens)
  }
  const closed = () => {
    if (!cursor) return false
    const remaining = maxTokens - answer.length
    const closing = remaining <= CLOSING_WINDOW ? cursor.closing(remaining, CLOSING_MARGIN) : undefined
    if (closing) take(closing)
    return closing !== undefined
  }
  const result = (finishReason: Generation['finishReason']): Generation => {
    stream.push([], true)
    return {
      text: stream.text,
      finishReason,
      promptTokens: prompt.length,
      completionTokens: answer.length,
      sampledTokens,
      maskMs: cursor?.maskMs ?? 0,
      generationMs: performance.now() - started,
    }
  }

  let sampledTokens = 0
  const forced = cursor?.begin() ?? []
  take(forced)
  if (cursor?.finished || closed()) return result('stop')
  const iterator = sequence.evaluate([...prompt.slice(sequence.nextTokenIndex), ...forced], {
    temperature: options.temperature,
    seed: options.seed,
    tokenBias: cursor?.bias,
  })
  try {
    for (let next = await iterator.next(); !next.done; ) {
      options.signal?.throwIfAborted()
      const token = next.value
      sampledTokens++
      const feed = [token, ...(cursor?.accept(token) ?? [])]
      take(feed)
      if (cursor?.finished || closed()) return result('stop')
      if (answer.length >= maxTokens) return result('length')
      next = await iterator.next(feed)
    }
    options.signal?.throwIfAborted()
    return result('stop')
  } finally {
    await iterator.return()
  }
}
