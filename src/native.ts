/**
 * The one place that loads PyAgent's Rust module (native/index.node) and gives it types.
 * Every other module imports from here, so a missing or stale binary fails in one way,
 * with one message that says how to fix it.
 */
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'

declare const nativeHandle: unique symbol
/** An opaque Rust object owned by the JS garbage collector (a Neon JsBox). */
export type NativeHandle<Kind extends string> = {readonly [nativeHandle]: Kind}

/** Where a schema's regex deliberately differs from the schema (see native/src/constrain). */
export interface SchemaDeviation {
  keyword: string
  pointer: string
  note: string
}

export interface NativeDfa {
  handle: NativeHandle<'dfa'>
  /** Number of states, the dead state 0 included. */
  states: number
  /** Start state; 0 when the schema accepts nothing. */
  start: number
  /** Bytes of the transition table. */
  bytes: number
  regex: string
  buildMs: number
  deviations?: SchemaDeviation[]
}

export interface NativeDfaOptions {
  /** Regex for whitespace between JSON tokens. */
  whitespace?: string
  /** How deep arrays/objects may nest where the schema leaves a value unconstrained, and how often a recursive $ref is unrolled. */
  maxAnyDepth?: number
  /** Memory bound for building the DFA, in bytes (default 512 MiB). */
  sizeLimit?: number
}

export type ConstrainStatus = 'ok' | 'complete' | 'dead'

export interface NativeVocabulary {
  handle: NativeHandle<'vocabulary'>
  /** Token ids run from 0 to size - 1 (special tokens included). */
  size: number
  bytes: number
  loadMs: number
}

export interface NativeTokenIndex {
  handle: NativeHandle<'index'>
  wordsPerMask: number
  /** Nodes of the token trie over this DFA's byte classes. */
  trieNodes: number
  buildMs: number
  /** Eager indexes only: every distinct mask back to back, wordsPerMask u32 words each. */
  masks?: ArrayBuffer
  /** Eager indexes only: per state, the number of its mask in `masks`. */
  maskOfState?: Uint32Array
  distinctMasks?: number
  bytes?: number
}

interface NativeBinding {
  version(): string
  blake3(data: Buffer | string): string
  panicForTest(message: string): never
  constrainCompileSchema(schemaJson: string, options: NativeDfaOptions): NativeDfa
  constrainCompileRegex(regex: string, options: Pick<NativeDfaOptions, 'sizeLimit'>): NativeDfa
  constrainStatus(dfa: NativeHandle<'dfa'>, state: number): ConstrainStatus
  constrainWalk(dfa: NativeHandle<'dfa'>, state: number, text: string | Uint8Array): number
  constrainForced(dfa: NativeHandle<'dfa'>, state: number): {bytes: Buffer; state: number}
  constrainValidatorNew(dfa: NativeHandle<'dfa'>): NativeHandle<'validator'>
  constrainValidatorFeed(validator: NativeHandle<'validator'>, chunk: string | Uint8Array): ConstrainStatus
  constrainValidatorInfo(validator: NativeHandle<'validator'>): {state: number; consumed: number; deadAt: number | null}
  constrainVocabularyTiktoken(encoderJson: string): NativeVocabulary
  constrainVocabularyTokenizerJson(path: string): NativeVocabulary
  constrainVocabularySpecial(vocabulary: NativeHandle<'vocabulary'>, name: string): number | null
  constrainIndexBuild(
    dfa: NativeHandle<'dfa'>,
    vocabulary: NativeHandle<'vocabulary'>,
    eos: number | null,
    eager: boolean,
  ): NativeTokenIndex
  constrainIndexMask(index: NativeHandle<'index'>, state: number): Uint32Array
  constrainAdvance(index: NativeHandle<'index'>, state: number, token: number): number
}

const REQUIRED_EXPORTS: readonly (keyof NativeBinding)[] = [
  'version',
  'blake3',
  'panicForTest',
  'constrainCompileSchema',
  'constrainCompileRegex',
  'constrainStatus',
  'constrainWalk',
  'constrainForced',
  'constrainValidatorNew',
  'constrainValidatorFeed',
  'constrainValidatorInfo',
  'constrainVocabularyTiktoken',
  'constrainVocabularyTokenizerJson',
  'constrainVocabularySpecial',
  'constrainIndexBuild',
  'constrainIndexMask',
  'constrainAdvance',
]

export const NATIVE_MODULE_PATH = fileURLToPath(new URL('../native/index.node', import.meta.url))

const REBUILD_HINT =
  'Rebuild it with `npm run build:native` (needs Rust: https://rustup.rs), or reinstall with `npm ci`.'

export class NativeModuleError extends Error {
  override readonly name = 'NativeModuleError'
}

let binding: NativeBinding | undefined

function load(): NativeBinding {
  if (binding) return binding
  let loaded: Partial<NativeBinding>
  try {
    loaded = createRequire(import.meta.url)(NATIVE_MODULE_PATH) as Partial<NativeBinding>
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new NativeModuleError(`The native module ${NATIVE_MODULE_PATH} could not be loaded: ${reason}. ${REBUILD_HINT}`)
  }
  const missing = REQUIRED_EXPORTS.filter((name) => typeof loaded[name] !== 'function')
  if (missing.length > 0) {
    throw new NativeModuleError(
      `The native module ${NATIVE_MODULE_PATH} is stale: it lacks ${missing.join(', ')}. ${REBUILD_HINT}`,
    )
  }
  binding = loaded as NativeBinding
  return binding
}

/** The native crate's version; also the cheapest way to check that the module loads. */
export function nativeVersion(): string {
  return load().version()
}

/** blake3 of the bytes (a string is hashed as UTF-8), as 64 lowercase hex digits. */
export function blake3(data: Buffer | string): string {
  return load().blake3(data)
}

/** Makes the Rust side panic; exists so tests can prove a panic becomes a JS Error. */
export function panicForTest(message: string): never {
  return load().panicForTest(message)
}

/**
 * Compiles a JSON Schema (as JSON text) to a DFA over its instances' JSON text. Throws an Error
 * with `keyword` and `pointer` properties when the schema uses something it cannot honour.
 */
export function constrainCompileSchema(schemaJson: string, options: NativeDfaOptions = {}): NativeDfa {
  return load().constrainCompileSchema(schemaJson, options)
}

/** Compiles a regex (matched against the whole text) to a DFA. */
export function constrainCompileRegex(regex: string, options: Pick<NativeDfaOptions, 'sizeLimit'> = {}): NativeDfa {
  return load().constrainCompileRegex(regex, options)
}

export function constrainStatus(dfa: NativeHandle<'dfa'>, state: number): ConstrainStatus {
  return load().constrainStatus(dfa, state)
}

/** The state after `text` (UTF-8) from `state`; 0 when the text cannot be completed. */
export function constrainWalk(dfa: NativeHandle<'dfa'>, state: number, text: string | Uint8Array): number {
  return load().constrainWalk(dfa, state, text)
}

/** Jump-forward: the bytes every accepted continuation of `state` starts with, and the state after them. */
export function constrainForced(dfa: NativeHandle<'dfa'>, state: number): {bytes: Buffer; state: number} {
  return load().constrainForced(dfa, state)
}

export function constrainValidatorNew(dfa: NativeHandle<'dfa'>): NativeHandle<'validator'> {
  return load().constrainValidatorNew(dfa)
}

/** Feeds a chunk; linear in its bytes. */
export function constrainValidatorFeed(validator: NativeHandle<'validator'>, chunk: string | Uint8Array): ConstrainStatus {
  return load().constrainValidatorFeed(validator, chunk)
}

export function constrainValidatorInfo(validator: NativeHandle<'validator'>): {
  state: number
  consumed: number
  deadAt: number | null
} {
  return load().constrainValidatorInfo(validator)
}

/** A vocabulary from the encoder JSON @dqbd/tiktoken ships (`encoders/<name>.json`). */
export function constrainVocabularyTiktoken(encoderJson: string): NativeVocabulary {
  return load().constrainVocabularyTiktoken(encoderJson)
}

/** A vocabulary from a Hugging Face tokenizer.json file. */
export function constrainVocabularyTokenizerJson(path: string): NativeVocabulary {
  return load().constrainVocabularyTokenizerJson(path)
}

export function constrainVocabularySpecial(vocabulary: NativeHandle<'vocabulary'>, name: string): number | null {
  return load().constrainVocabularySpecial(vocabulary, name)
}

/** Token masks of a DFA over a vocabulary: all at once (`eager`) or per state on first request. */
export function constrainIndexBuild(
  dfa: NativeHandle<'dfa'>,
  vocabulary: NativeHandle<'vocabulary'>,
  eos: number | null,
  eager: boolean,
): NativeTokenIndex {
  return load().constrainIndexBuild(dfa, vocabulary, eos, eager)
}

/** One state's mask (computed on first request), copied into a new Uint32Array. */
export function constrainIndexMask(index: NativeHandle<'index'>, state: number): Uint32Array {
  return load().constrainIndexMask(index, state)
}

/** The state after emitting `token` from `state`; 0 when the token is not allowed there. */
export function constrainAdvance(index: NativeHandle<'index'>, state: number, token: number): number {
  return load().constrainAdvance(index, state, token)
}
