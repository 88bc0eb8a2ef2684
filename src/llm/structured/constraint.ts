/**
 * A JSON Schema compiled to a DFA over its instances' JSON text (native/src/constrain):
 * streaming validation, jump-forward, and token indexes over a vocabulary.
 */
import {PyAgentError} from '../../errors.js'
import {
  type ConstrainStatus,
  type NativeDfa,
  type NativeDfaOptions,
  type NativeHandle,
  type SchemaDeviation,
  constrainCompileRegex,
  constrainCompileSchema,
  constrainForced,
  constrainStateCount,
  constrainStatus,
  constrainValidatorFeed,
  constrainValidatorInfo,
  constrainValidatorNew,
  constrainWalk,
} from '../../native.js'

export type {ConstrainStatus, SchemaDeviation}

/** Whitespace JSON allows between tokens; what vLLM's structured outputs may emit. */
export const FLEXIBLE_WHITESPACE = '[ \\t\\n\\r]*'
/** No whitespace at all: the tightest constraint for generation. */
export const COMPACT_WHITESPACE = ''

export interface ConstraintOptions {
  /** Regex for the whitespace allowed between JSON tokens (default FLEXIBLE_WHITESPACE). */
  whitespace?: string
  /** Nesting allowed where the schema leaves a value unconstrained, and unrollings of a recursive $ref (default 2). */
  maxAnyDepth?: number
  /** Memory bound for the NFA and the DFA states built from it as they are reached, in bytes (default 512 MiB); a walk, mask or feed that would exceed it throws. */
  sizeLimitBytes?: number
}

/** The schema uses a keyword (or a combination) that a regex cannot honour. */
export class UnsupportedSchemaError extends PyAgentError {
  override readonly name = 'UnsupportedSchemaError'
  constructor(
    message: string,
    readonly keyword: string,
    readonly pointer: string,
  ) {
    super('E_LLM_SCHEMA_UNSUPPORTED', message)
  }
}

export const DEAD_STATE = 0

export class JsonConstraint {
  private constructor(private readonly dfa: NativeDfa) {}

  /** Compiles a draft 2020-12 JSON Schema (e.g. zod's `z.toJSONSchema` output). */
  static fromJsonSchema(schema: unknown, options: ConstraintOptions = {}): JsonConstraint {
    const nativeOptions: NativeDfaOptions = {whitespace: options.whitespace ?? FLEXIBLE_WHITESPACE}
    if (options.maxAnyDepth !== undefined) nativeOptions.maxAnyDepth = options.maxAnyDepth
    if (options.sizeLimitBytes !== undefined) nativeOptions.sizeLimit = options.sizeLimitBytes
    try {
      return new JsonConstraint(constrainCompileSchema(JSON.stringify(schema), nativeOptions))
    } catch (error) {
      if (error instanceof Error && 'keyword' in error && 'pointer' in error) {
        throw new UnsupportedSchemaError(error.message, String(error.keyword), String(error.pointer))
      }
      throw error
    }
  }

  /** Compiles a regex matched against the whole text (for callers that already have one). */
  static fromRegex(regex: string, options: Pick<ConstraintOptions, 'sizeLimitBytes'> = {}): JsonConstraint {
    const nativeOptions = options.sizeLimitBytes === undefined ? {} : {sizeLimit: options.sizeLimitBytes}
    return new JsonConstraint(constrainCompileRegex(regex, nativeOptions))
  }

  get regex(): string {
    return this.dfa.regex
  }

  get deviations(): readonly SchemaDeviation[] {
    return this.dfa.deviations ?? []
  }

  /** States built so far (dead state 0 included); the DFA grows as walks, masks and validators reach new states. */
  get stateCount(): number {
    return constrainStateCount(this.dfa.handle)
  }

  get startState(): number {
    return this.dfa.start
  }

  /** Compile time and size of the automaton as compiled (the NFA and the start state). */
  get stats(): {buildMs: number; bytes: number; states: number} {
    return {buildMs: this.dfa.buildMs, bytes: this.dfa.bytes, states: this.dfa.states}
  }

  /** @internal the native handle, for TokenIndex. */
  get handle(): NativeHandle<'dfa'> {
    return this.dfa.handle
  }

  status(state: number): ConstrainStatus {
    return constrainStatus(this.dfa.handle, state)
  }

  /** The state after `text` from `state` (default: the start); DEAD_STATE when it cannot be completed. */
  walk(text: string | Uint8Array, state = this.dfa.start): number {
    return constrainWalk(this.dfa.handle, state, text)
  }

  /** Whether `text` is, as a whole, an accepted instance. */
  accepts(text: string | Uint8Array): boolean {
    return this.status(this.walk(text)) === 'complete'
  }

  /**
   * Jump-forward: the text every accepted continuation from `state` starts with (empty when
   * there is a choice), and the state after it.
   */
  forced(state = this.dfa.start): {text: string; bytes: Buffer; state: number} {
    const {bytes, state: next} = constrainForced(this.dfa.handle, state)
    return {text: bytes.toString('utf8'), bytes, state: next}
  }

  validator(): StreamValidator {
    return new StreamValidator(constrainValidatorNew(this.dfa.handle))
  }
}

/** Checks streamed text chunk by chunk, in time linear in its bytes. */
export class StreamValidator {
  private last: ConstrainStatus = 'ok'

  constructor(private readonly handle: NativeHandle<'validator'>) {}

  /** ok: a prefix of some instance; complete: an instance as it stands; dead: no continuation can fix it. */
  feed(chunk: string | Uint8Array): ConstrainStatus {
    this.last = constrainValidatorFeed(this.handle, chunk)
    return this.last
  }

  get status(): ConstrainStatus {
    return this.last
  }

  /** Byte offset of the first byte that made the text dead, or null. */
  get deadAt(): number | null {
    return constrainValidatorInfo(this.handle).deadAt
  }

  get consumed(): number {
    return constrainValidatorInfo(this.handle).consumed
  }

  get state(): number {
    return constrainValidatorInfo(this.handle).state
  }
}
