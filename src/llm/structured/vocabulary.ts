/**
 * Token vocabularies for token masks: tiktoken's encodings (the rank files @dqbd/tiktoken
 * ships, so ids match the tokenizer the client counts with) or a Hugging Face tokenizer.json.
 */
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {
  type NativeHandle,
  type NativeTokenIndex,
  type NativeVocabulary,
  constrainAdvance,
  constrainIndexBuild,
  constrainIndexMask,
  constrainVocabularySpecial,
  constrainVocabularyTiktoken,
  constrainVocabularyTokenizerJson,
} from '../../native.js'
import {DEAD_STATE, type JsonConstraint} from './constraint.js'

export type TiktokenEncodingName = 'cl100k_base' | 'o200k_base'

export class Vocabulary {
  private constructor(
    private readonly native: NativeVocabulary,
    readonly name: string,
    /** The token that ends generation; allowed exactly where the text is complete. */
    readonly eosToken: number | null,
  ) {}

  static tiktoken(encoding: TiktokenEncodingName): Vocabulary {
    const cached = tiktokenCache.get(encoding)
    if (cached) return cached
    const path = createRequire(import.meta.url).resolve(`@dqbd/tiktoken/encoders/${encoding}.json`)
    const native = constrainVocabularyTiktoken(readFileSync(path, 'utf8'))
    const vocabulary = new Vocabulary(native, encoding, constrainVocabularySpecial(native.handle, '<|endoftext|>'))
    tiktokenCache.set(encoding, vocabulary)
    return vocabulary
  }

  /** `eosName` names the end token in the file's added_tokens (e.g. `</s>`, `<|im_end|>`). */
  static tokenizerJson(path: string, eosName?: string): Vocabulary {
    const native = constrainVocabularyTokenizerJson(path)
    const eos = eosName === undefined ? null : constrainVocabularySpecial(native.handle, eosName)
    if (eosName !== undefined && eos === null) {
      throw new Error(`${path} has no special token ${JSON.stringify(eosName)}; pass the name of its end-of-sequence token.`)
    }
    return new Vocabulary(native, path, eos)
  }

  get size(): number {
    return this.native.size
  }

  get stats(): {loadMs: number; bytes: number} {
    return {loadMs: this.native.loadMs, bytes: this.native.bytes}
  }

  /** @internal */
  get handle(): NativeHandle<'vocabulary'> {
    return this.native.handle
  }
}

const tiktokenCache = new Map<TiktokenEncodingName, Vocabulary>()

export interface TokenIndexOptions {
  /** Compute every state's mask now (one copy into JS, then views) instead of on first use. */
  eager?: boolean
}

/**
 * Allowed tokens per DFA state as bitmasks of u32 words (token t is bit t % 32 of word t / 32).
 * A mask is a view (eager) or a cached array (lazy): callers must not write to it.
 */
export class TokenIndex {
  private readonly native: NativeTokenIndex
  private readonly views = new Map<number, Uint32Array>()

  constructor(
    readonly constraint: JsonConstraint,
    readonly vocabulary: Vocabulary,
    options: TokenIndexOptions = {},
  ) {
    this.native = constrainIndexBuild(constraint.handle, vocabulary.handle, vocabulary.eosToken, options.eager ?? false)
  }

  get wordsPerMask(): number {
    return this.native.wordsPerMask
  }

  get stats(): {buildMs: number; trieNodes: number; bytes?: number; distinctMasks?: number} {
    const {buildMs, trieNodes, bytes, distinctMasks} = this.native
    return {
      buildMs,
      trieNodes,
      ...(bytes === undefined ? {} : {bytes}),
      ...(distinctMasks === undefined ? {} : {distinctMasks}),
    }
  }

  mask(state: number): Uint32Array {
    const known = this.views.get(state)
    if (known) return known
    const {masks, maskOfState} = this.native
    const number = maskOfState?.[state]
    const view =
      masks && number !== undefined
        ? new Uint32Array(masks, number * this.native.wordsPerMask * 4, this.native.wordsPerMask)
        : constrainIndexMask(this.native.handle, state)
    this.views.set(state, view)
    return view
  }

  allows(state: number, token: number): boolean {
    const word = this.mask(state)[token >>> 5] ?? 0
    return ((word >>> (token & 31)) & 1) === 1
  }

  /**
   * The state after `token`; DEAD_STATE when the token is not allowed in `state`. The end token
   * has no bytes and so no next state: it is allowed exactly where `allows(state, eosToken)`.
   */
  advance(state: number, token: number): number {
    if (state === DEAD_STATE) return DEAD_STATE
    return constrainAdvance(this.native.handle, state, token)
  }
}
