/**
 * Decoding under a JSON schema's native token index (src/llm/structured), built over the GGUF's
 * own vocabulary: which tokens may come next (as a node-llama-cpp token bias), the text the
 * schema forces from here (jump-forward: fed to the model without sampling), and the shortest
 * way to a complete answer when the token budget runs out. The answer is compact JSON: with no
 * whitespace between tokens, every key and punctuation mark the schema fixes is forced.
 */
import type {Token, TokenBias} from 'node-llama-cpp'

import {COMPACT_WHITESPACE, DEAD_STATE, JsonConstraint, TokenIndex, type Vocabulary} from '../llm/structured/index.js'

import {ModelError} from './errors.js'

/** What the decoder needs from the model: its tokenizer (for forced text) and empty token biases. */
export interface DecoderModel {
  tokenize(text: string): Token[]
  newTokenBias(): TokenBias
}

/** Added to the logit of every allowed token when they are fewer than the banned ones: no logit of a real model comes near it, so the others keep probability 0. */
const ALLOWED_BOOST = 1e4

/** How far the shortest completion is searched for, in bytes: schemas close within a few dozen. */
const MAX_CLOSING_BYTES = 256

/** Bytes in the order the shortest completion tries them: printable ASCII first, so the text reads naturally. */
const BYTE_ORDER = [...Array.from({length: 95}, (_, i) => i + 0x20), ...Array.from({length: 256}, (_, i) => i).filter((byte) => byte < 0x20 || byte > 0x7e)]

const STRICT_UTF8 = new TextDecoder('utf-8', {fatal: true})

interface StateInfo {
  bias: TokenBias
  /** The schema is complete here and allows nothing but the end. */
  onlyEnd: boolean
  /** Tokens of the text forced from here, and the state after them. */
  forced: {tokens: Token[]; state: number}
}

/** The longest head of `bytes` made of whole UTF-8 characters: forced text is tokenized as a string, so a split character is left to sampling. */
export function wholeCharacters(bytes: Uint8Array): string {
  let end = bytes.length
  let continuation = 0
  while (continuation < 3 && end - continuation > 0 && (bytes[end - continuation - 1]! & 0xc0) === 0x80) continuation++
  const lead = end - continuation - 1
  if (lead < 0) return ''
  const byte = bytes[lead]!
  const length = byte < 0x80 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 0
  if (length !== continuation + 1) end = lead
  return Buffer.from(bytes.subarray(0, end)).toString('utf8')
}

/** The bytes as text, or undefined when they do not start and end on character boundaries. */
function asText(bytes: number[]): string | undefined {
  try {
    return STRICT_UTF8.decode(Uint8Array.from(bytes))
  } catch {
    return undefined
  }
}

/** One compiled schema: its DFA, its token index and what each reached state allows, built once and reused by every request with the same schema. */
export class SchemaDecoder {
  private readonly states = new Map<number, StateInfo>()

  private constructor(
    private readonly constraint: JsonConstraint,
    private readonly index: TokenIndex,
    private readonly model: DecoderModel,
  ) {}

  static compile(schema: Record<string, unknown>, vocabulary: Vocabulary, model: DecoderModel): SchemaDecoder {
    let constraint: JsonConstraint
    try {
      constraint = JsonConstraint.fromJsonSchema(schema, {whitespace: COMPACT_WHITESPACE})
    } catch (error) {
      throw new ModelError(`The embedded engine cannot decode under this JSON schema: ${(error as Error).message}`)
    }
    if (constraint.startState === DEAD_STATE) throw new ModelError('The JSON schema accepts no value, so no answer can satisfy it.')
    return new SchemaDecoder(constraint, new TokenIndex(constraint, vocabulary), model)
  }

  get start(): number {
    return this.constraint.startState
  }

  info(state: number): StateInfo {
    let info = this.states.get(state)
    if (!info) {
      info = this.build(state)
      this.states.set(state, info)
    }
    return info
  }

  /** The state after `token`; DEAD_STATE when the token breaks the schema. */
  advance(state: number, token: Token): number {
    return this.index.advance(state, token)
  }

  /** The shortest text from `state` to a complete answer (breadth-first over bytes), or undefined when none is within reach or it splits a character. */
  shortestCompletion(state: number): string | undefined {
    if (this.constraint.status(state) === 'complete') return ''
    const seen = new Set([state])
    let frontier = [{state, bytes: [] as number[]}]
    for (let depth = 0; depth < MAX_CLOSING_BYTES && frontier.length > 0; depth++) {
      const next: typeof frontier = []
      for (const node of frontier) {
        for (const byte of BYTE_ORDER) {
          const reached = this.constraint.walk(Uint8Array.of(byte), node.state)
          if (reached === DEAD_STATE || seen.has(reached)) continue
          seen.add(reached)
          const bytes = [...node.bytes, byte]
          if (this.constraint.status(reached) === 'complete') return asText(bytes)
          next.push({state: reached, bytes})
        }
      }
      frontier = next
    }
    return undefined
  }

  tokenize(text: string): Token[] {
    return this.model.tokenize(text)
  }

  private build(state: number): StateInfo {
    const mask = this.index.mask(state)
    const size = this.index.vocabulary.size
    const allowed: number[] = []
    const banned: number[] = []
    for (let word = 0; word < mask.length; word++) {
      const bits = mask[word]!
      for (let bit = 0; bit < 32 && word * 32 + bit < size; bit++) ((bits >>> bit) & 1 ? allowed : banned).push(word * 32 + bit)
    }
    const bias = this.model.newTokenBias()
    // TokenBias.set skips end-of-generation tokens (and tokenizes each input); the end must be
    // banned until the answer is complete, so the map node-llama-cpp (pinned) reads is filled directly.
    const logits = (bias as unknown as {_biases: Map<number, number>})._biases
    if (allowed.length <= banned.length) for (const token of allowed) logits.set(token, ALLOWED_BOOST)
    else for (const token of banned) logits.set(token, Number.NEGATIVE_INFINITY)
    return {bias, onlyEnd: allowed.length === 1 && allowed[0] === this.index.vocabulary.eosToken, forced: this.forcedFrom(state)}
  }

  private forcedFrom(state: number): StateInfo['forced'] {
    const text = wholeCharacters(this.constraint.forced(state).bytes)
    if (text === '') return {tokens: [], state}
    const tokens = this.model.tokenize(text)
    let reached = state
    for (const token of tokens) {
      reached = this.advance(reached, token)
      // The tokenizer split the text in a way the index does not know: sample it instead.
      if (reached === DEAD_STATE) return {tokens: [], state}
    }
    return {tokens, state: reached}
  }
}

/**
 * One answer's walk through a schema: the bias to sample under, the tokens forced after each
 * sampled one, and the closing text when the budget runs out. Its time is the masking cost.
 */
export class SchemaCursor {
  private state: number
  maskMs = 0

  constructor(private readonly decoder: SchemaDecoder) {
    this.state = decoder.start
  }

  /** The tokens forced before anything is sampled. */
  begin(): Token[] {
    return this.timed(() => this.jump())
  }

  /** The bias for the next sample (node-llama-cpp calls this before every token). */
  readonly bias = (): TokenBias => this.timed(() => this.decoder.info(this.state).bias)

  /** Advances over a sampled token and returns the tokens the schema forces after it. */
  accept(token: Token): Token[] {
    return this.timed(() => {
      this.state = this.decoder.advance(this.state, token)
      if (this.state === DEAD_STATE) throw new ModelError(`The sampler chose token ${token}, which the schema's mask forbids: the token index and the model disagree.`)
      return this.jump()
    })
  }

  /** The answer is complete and the schema allows nothing more. */
  get finished(): boolean {
    return this.timed(() => this.decoder.info(this.state).onlyEnd)
  }

  /**
   * The tokens of the shortest completion when it no longer fits in `remaining` tokens with
   * `margin` to spare (one more sample could open a structure that needs closing too).
   */
  closing(remaining: number, margin: number): Token[] | undefined {
    return this.timed(() => {
      const text = this.decoder.shortestCompletion(this.state)
      if (text === undefined) return undefined
      const tokens = this.decoder.tokenize(text)
      return tokens.length + margin >= remaining ? tokens : undefined
    })
  }

  private jump(): Token[] {
    const {tokens, state} = this.decoder.info(this.state).forced
    this.state = state
    return tokens
  }

  private timed<T>(work: () => T): T {
    const started = performance.now()
    try {
      return work()
    } finally {
      this.maskMs += performance.now() - started
    }
  }
}
