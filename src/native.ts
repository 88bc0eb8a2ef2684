/**
 * The one place that loads PyAgent's Rust module (native/index.node) and gives it types.
 * Every other module imports from here, so a missing or stale binary fails in one way,
 * with one message that says how to fix it.
 */
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {PyAgentError} from './errors.js'

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
  /** Number of states built at compile time (the dead state and the start); the rest are built as reached. */
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
  /** Memory bound for the NFA and the DFA states built from it as they are reached, in bytes (default 512 MiB); a walk, mask or feed that would exceed it throws. */
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
  /** Nodes of the vocabulary's byte trie (built once with the vocabulary; every index walks it). */
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
  metricsAnalyze(source: Buffer | string, language: MetricsLanguage): FileMetrics
  metricsLanguageForPath(path: string): MetricsLanguage | null
  diffLines(a: Uint8Array, b: Uint8Array, algorithm: DiffAlgorithm, context: number, aPath: string, bPath: string): RawLineDiff
  applyPatch(original: Text, patch: Text, ignoreWhitespace: boolean, recount: boolean): {text: string; hunks: string}
  parsePatch(patch: Text, strip: number, recount: boolean): string
  applyEdits(original: Text, searches: Text[], replaces: Text[], flexibleWhitespace: boolean): {text: string; edits: string}
  constrainCompileSchema(schemaJson: string, options: NativeDfaOptions): NativeDfa
  constrainCompileRegex(regex: string, options: Pick<NativeDfaOptions, 'sizeLimit'>): NativeDfa
  constrainStatus(dfa: NativeHandle<'dfa'>, state: number): ConstrainStatus
  constrainStateCount(dfa: NativeHandle<'dfa'>): number
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
  secretsFind(content: string | Uint8Array, path?: string | null): NativeSecretHit[]
  tagsExtractBatch(sources: (Uint8Array | string)[], languages: TagsLanguage[]): Promise<TagsExtraction[]>
  tagsLanguageForPath(path: string): TagsLanguage | null
  tagsRank(paths: readonly string[], tags: readonly string[], focusFiles: string[], identifiers: string[], touched: string[]): Promise<RankedTags>
  tagsVersion(): number
  codeUnitsBatch(sources: (Uint8Array | string)[], languages: TagsLanguage[]): Promise<CodeUnitsExtraction[]>
  codeUnitsVersion(): number
}

const REQUIRED_EXPORTS: readonly (keyof NativeBinding)[] = [
  'version',
  'blake3',
  'panicForTest',
  'metricsAnalyze',
  'metricsLanguageForPath',
  'diffLines',
  'applyPatch',
  'parsePatch',
  'applyEdits',
  'constrainCompileSchema',
  'constrainCompileRegex',
  'constrainStatus',
  'constrainStateCount',
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
  'secretsFind',
  'tagsExtractBatch',
  'tagsLanguageForPath',
  'tagsRank',
  'tagsVersion',
  'codeUnitsBatch',
  'codeUnitsVersion',
]

export type MetricsLanguage = 'typescript' | 'tsx' | 'javascript' | 'python' | 'rust' | 'go'

export interface FunctionMetrics {
  name: string
  /** Enclosing classes, impls, modules and functions joined with `.` (Rust `::`), then the name. */
  qualifiedName: string
  /** 1-based, inclusive. */
  startLine: number
  endLine: number
  lines: number
  /** McCabe cyclomatic complexity: 1 + decision points in the function's own body. */
  complexity: number
}

export interface FileMetrics {
  language: MetricsLanguage
  /** tree-sitter recovered from syntax errors; the figures may be partial. */
  hasErrors: boolean
  functions: FunctionMetrics[]
}

/** The package's root: the nearest folder above this module with a package.json (src/, dist/ or a bundle below dist/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  return dir
}

export const NATIVE_MODULE_PATH = join(packageRoot(), 'native', 'index.node')

const REBUILD_HINT =
  'Rebuild it with `npm run build:native` (needs Rust: https://rustup.rs), or reinstall with `npm ci`.'

export class NativeModuleError extends PyAgentError {
  override readonly name = 'NativeModuleError'
  constructor(message: string) {
    super('E_NATIVE_MODULE', message)
  }
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

/** A secret the native detector found: its rule's id and the span of its value. */
export interface NativeSecretHit {
  rule: string
  /** UTF-16 offsets for a string, byte offsets for binary content. */
  start: number
  end: number
}

/**
 * Secrets in `content` by gitleaks's rule data plus PyAgent's additions; a Uint8Array is read as
 * binary content whose printable runs are scanned. `path` lets path-scoped rules apply.
 */
export function findSecretsNative(content: string | Uint8Array, path?: string): NativeSecretHit[] {
  return load().secretsFind(content, path ?? null)
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

/** The metrics language of a file from its extension, or null when metrics do not cover it. */
export function metricsLanguageForPath(path: string): MetricsLanguage | null {
  return load().metricsLanguageForPath(path)
}

/** Per-function cyclomatic complexity and size of one file's text, parsed with tree-sitter. */
export function analyzeMetrics(source: Buffer | string, language: MetricsLanguage): FileMetrics {
  return load().metricsAnalyze(source, language)
}

// ---------------------------------------------------------------------------------------------
// Tags for the repository map (native/src/tags): definitions and references from tree-sitter.

export type TagsLanguage = 'typescript' | 'tsx' | 'javascript' | 'python' | 'rust' | 'go' | 'java' | 'c' | 'cpp'

/** Why a file has no tags: a NUL byte or bytes that are not UTF-8; very long lines; a parse that failed or discarded most of the file. */
export type TagsSkip = 'binary' | 'minified' | 'unparsable'

export interface TagDefinition {
  name: string
  /** 1-based line where the signature starts. */
  line: number
  /** The definition's lines up to where its body opens (at most 4, each cut at 200 characters). */
  signature: string
}

export interface TagReference {
  name: string
  /** 1-based. */
  line: number
}

export interface FileTags {
  /** In source order. */
  definitions: TagDefinition[]
  /** In source order; a name used twice is two references. */
  references: TagReference[]
}

/**
 * One file's tags as the native module encodes them (JSON), to be stored as they are and decoded
 * with decodeTags, or why it has none; with the blake3 of the content they were taken from.
 */
export type TagsExtraction = {hash: string} & ({tags: string; skipped: null} | {tags: null; skipped: TagsSkip})

/**
 * The tags of each file's content. The parse runs on Node's worker pool, off the event loop, so
 * several batches awaited together parse on several cores.
 */
export function extractTags(files: readonly {source: Uint8Array | string; language: TagsLanguage}[]): Promise<TagsExtraction[]> {
  return load().tagsExtractBatch(
    files.map((file) => file.source),
    files.map((file) => file.language),
  )
}

/** Tags as extractTags encoded them. */
export function decodeTags(encoded: string): FileTags {
  const [definitions, references] = JSON.parse(encoded) as [[string, number, string][], [string, number][]]
  return {
    definitions: definitions.map(([name, line, signature]) => ({name, line, signature})),
    references: references.map(([name, line]) => ({name, line})),
  }
}

/** What a ranking of tags is personalised to (see native/src/tags/rank.rs for the weights). */
export interface TagsFocus {
  /** Files the task names: the random jump lands on them. */
  files: Iterable<string>
  /** Words of the task: a definition with one of these names weighs more, and so does a file whose path has one as a component. */
  identifiers: Iterable<string>
  /** Files the agent read or edited: jumped to, and what they use weighs more. */
  touched: Iterable<string>
}

/** Every definition, best first, in columns: `files[k]` indexes the paths ranked, `names` is NUL-separated. */
export interface RankedTags {
  files: Uint32Array
  names: string
  ranks: Float64Array
}

/**
 * Ranks the definitions of files whose tags extractTags encoded (path and tags at the same
 * index) by PageRank over their use/definition graph, on the worker pool. Rejects naming a file
 * whose tags do not decode.
 */
export function rankTags(paths: readonly string[], tags: readonly string[], focus: TagsFocus): Promise<RankedTags> {
  return load().tagsRank(paths, tags, [...focus.files], [...focus.identifiers], [...focus.touched])
}

/** The tags language of a file from its name, or null when the tags do not cover it. */
export function tagsLanguageForPath(path: string): TagsLanguage | null {
  return load().tagsLanguageForPath(path)
}

/** Changes whenever the native module would give the same file different tags: part of the cache key. */
export function tagsVersion(): number {
  return load().tagsVersion()
}

export type CodeUnitKind = 'function' | 'method' | 'class' | 'interface' | 'enum'

/** A function, method or class of a file, as the semantic index keeps it. */
export interface CodeUnit {
  name: string
  kind: CodeUnitKind
  /** 1-based, inclusive; from the first line of the comments right above it. */
  startLine: number
  endLine: number
  /** Its source lines (the first 16 KiB of a longer one). */
  text: string
}

/** One file's code units, encoded (JSON) as decodeCodeUnits reads them, or why it has none (the tags' reasons). */
export type CodeUnitsExtraction = {hash: string} & ({units: string; skipped: null} | {units: null; skipped: TagsSkip})

/** The code units of each file's content, cut by the tags' queries; on Node's worker pool, as extractTags. */
export function extractCodeUnits(files: readonly {source: Uint8Array | string; language: TagsLanguage}[]): Promise<CodeUnitsExtraction[]> {
  return load().codeUnitsBatch(
    files.map((file) => file.source),
    files.map((file) => file.language),
  )
}

export function decodeCodeUnits(encoded: string): CodeUnit[] {
  const rows = JSON.parse(encoded) as [string, CodeUnitKind, number, number, string][]
  return rows.map(([name, kind, startLine, endLine, text]) => ({name, kind, startLine, endLine, text}))
}

/** Changes whenever the native module would cut the same file into different units: an index made by another is cut again. */
export function codeUnitsVersion(): number {
  return load().codeUnitsVersion()
}

// ---------------------------------------------------------------------------------------------
// Diff, patch and search/replace edits (native/src/diff.rs, patch.rs, edits.rs).
// Inputs are text; a Buffer is read as UTF-8. Content with a NUL byte is refused as binary
// (E_BINARY) and a Buffer that is not UTF-8 is refused (E_ENCODING). Line endings are kept
// exactly as they are, CRLF included. Failures throw a TextEngineError with a stable `code`.

/** A string, or a Buffer holding UTF-8 text. */
export type Text = string | Buffer

export type DiffAlgorithm = 'myers' | 'histogram'

export interface DiffOptions {
  /** 'myers' (default, as plain `git diff`) is the faster; 'histogram' (`git diff --histogram`) often reads better for code. */
  algorithm?: DiffAlgorithm
  /** Unchanged lines around each change, like `git diff -U<n>`. Default 3. */
  context?: number
  /** Path for the `--- a/<path>` header, without the `a/` prefix; '/dev/null' for a created file. Default 'file'. */
  aPath?: string
  /** Path for the `+++ b/<path>` header; '/dev/null' for a deleted file. Default: aPath (or 'file'). */
  bPath?: string
}

/** One hunk of a diff, with the ranges of its `@@` line. */
export interface DiffHunk {
  oldStart: number
  oldLines: number
  newStart: number
  newLines: number
  /** The `@@ -l,s +l,s @@` line. */
  header: string
  /** Body lines as printed: prefixed with ' ', '-', '+' or '\\' (no-newline marker), without the '\n'. */
  lines: string[]
}

export interface LineDiff {
  /** The unified diff as git prints it (accepted by `git apply` and `patch`); '' when a equals b. */
  unified: string
  hunks: DiffHunk[]
  added: number
  removed: number
}

interface RawLineDiff {
  unified: string
  /** Five numbers per hunk: oldStart, oldLines, newStart, newLines, body line count. */
  hunks: Uint32Array
  added: number
  removed: number
}

export interface ApplyPatchOptions {
  /** After exact and offset matching fail, match lines ignoring whitespace. Default false. */
  ignoreWhitespace?: boolean
  /**
   * Ignore the line counts in `@@` headers and take each hunk's body as written, like
   * `git apply --recount`: for model-written patches, whose counts are often wrong. Default false
   * (a hunk whose body disagrees with its counts is an E_PATCH_PARSE error).
   */
  recount?: boolean
}

export interface AppliedHunk {
  /** 0-based index of the hunk in the file's patch. */
  index: number
  /** 1-based line of the original where the hunk's old lines started. */
  line: number
  /** How many lines away from its header's position the hunk applied. */
  offset: number
  /** True when only the whitespace-insensitive comparison matched. */
  whitespace: boolean
}

export interface AppliedPatch {
  text: string
  hunks: AppliedHunk[]
}

export interface ParsePatchOptions {
  /** Leading path components removed from file names, like `patch -p<n>`. Default 1 (drops `a/`, `b/`). */
  strip?: number
  /** As ApplyPatchOptions.recount. Default false. */
  recount?: boolean
}

export type FileChangeKind = 'modify' | 'create' | 'delete' | 'rename' | 'copy'

export interface PatchLine {
  kind: 'context' | 'remove' | 'add'
  /** The line's text with its terminator ('\n' or '\r\n'); none when the patch marks no newline at end of file. */
  text: string
}

export interface PatchHunk {
  oldStart: number
  oldLines: number
  newStart: number
  newLines: number
  header: string
  lines: PatchLine[]
}

/** One file's change in a patch. */
export interface FilePatch {
  /** null for a created file (`/dev/null`) or a bare hunk list that names no file. */
  oldPath: string | null
  /** null for a deleted file or a bare hunk list. */
  newPath: string | null
  kind: FileChangeKind
  oldMode: string | null
  newMode: string | null
  /** git's similarity index (percent) for renames and copies. */
  similarity: number | null
  /** A binary change: no hunks to apply as text. */
  binary: boolean
  hunks: PatchHunk[]
  /** This file's section of the patch, headers included: pass it to applyPatch. */
  patch: string
}

export interface SearchReplace {
  search: Text
  replace: Text
}

export interface ApplyEditsOptions {
  /**
   * When a search is not found exactly, compare whole lines ignoring whitespace and re-indent
   * the replacement to the file's indentation and line endings. Default false.
   */
  flexibleWhitespace?: boolean
}

export interface AppliedEdit {
  index: number
  /** 1-based line where the replaced text started, in the text this edit applied to. */
  line: number
  /** True when only the whitespace-flexible comparison matched. */
  flexible: boolean
}

export interface EditedText {
  text: string
  edits: AppliedEdit[]
}

/** The stretch of the file most like what was looked for. */
export interface Candidate {
  /** 1-based line where it starts. */
  line: number
  /** 0..1: the share of characters it has in common with what was looked for. */
  similarity: number
  /** Its lines, without terminators. */
  text: string[]
}

export interface HunkFailure {
  index: number
  header: string
  /** The context and removed lines the hunk needs, without terminators. */
  expected: string[]
  closest: Candidate | null
}

export type TextEngineErrorDetails =
  | {code: 'E_BINARY'; input: string; offset: number}
  | {code: 'E_ENCODING'; input: string; offset: number}
  | {code: 'E_PATCH_PARSE'; line: number; reason: string}
  | {code: 'E_PATCH_FILE_COUNT'; files: string[]}
  | {code: 'E_PATCH_TARGET'; path: string | null; reason: string}
  | {code: 'E_HUNK_FAILED'; path: string | null; hunks: number; failures: HunkFailure[]}
  | {code: 'E_EDIT_INVALID'; index: number; reason: string}
  | {code: 'E_EDIT_NO_MATCH'; index: number; search: string; nearest: Candidate | null}
  | {code: 'E_EDIT_AMBIGUOUS'; index: number; count: number; lines: number[]}

export type TextEngineErrorCode = TextEngineErrorDetails['code']

/**
 * A diff, patch or edit the engine refused. `code` is stable; `details` holds what a caller
 * (or a model) needs to fix the input: failed hunks with the closest place found, the match
 * count of an ambiguous search, the nearest candidate of a missing one.
 */
export class TextEngineError<C extends TextEngineErrorCode = TextEngineErrorCode> extends PyAgentError {
  override readonly name = 'TextEngineError'
  declare readonly code: C
  readonly details: Extract<TextEngineErrorDetails, {code: C}>

  constructor(message: string, details: Extract<TextEngineErrorDetails, {code: C}>) {
    super(details.code, message)
    this.details = details
  }

  /** Narrows an unknown error to a TextEngineError, optionally of one code. */
  static is<C extends TextEngineErrorCode>(error: unknown, code?: C): error is TextEngineError<C> {
    return error instanceof TextEngineError && (code === undefined || error.code === code)
  }
}

/** Rebuilds an engine error thrown by Rust (an Error carrying `pyagentDetails` JSON); rethrows anything else. */
function rethrow(error: unknown): never {
  const raw = (error as {pyagentDetails?: unknown} | null)?.pyagentDetails
  if (typeof raw === 'string') {
    const {message, ...details} = JSON.parse(raw) as TextEngineErrorDetails & {message: string}
    throw new TextEngineError(message, details)
  }
  throw error
}

function callEngine<T>(call: () => T): T {
  try {
    return call()
  } catch (error) {
    return rethrow(error)
  }
}

/** Line diff of a and b, as structured hunks and as git's unified format. */
export function diffLines(a: Text, b: Text, options: DiffOptions = {}): LineDiff {
  const aPath = options.aPath ?? 'file'
  const bPath = options.bPath ?? (aPath === '/dev/null' ? 'file' : aPath)
  const [aBytes, bBytes] = utf8Views(a, b)
  const raw = callEngine(() =>
    load().diffLines(aBytes, bBytes, options.algorithm ?? 'myers', options.context ?? 3, aPath, bPath),
  )
  let hunks: DiffHunk[] | undefined
  return {
    unified: raw.unified,
    added: raw.added,
    removed: raw.removed,
    // Built from `unified` on first use: most callers only print the text.
    get hunks() {
      hunks ??= hunksOf(raw)
      return hunks
    },
  }
}

const utf8Encoder = new TextEncoder()
/** Scratch for the UTF-8 of string arguments, kept between calls up to `MAX_KEPT_SCRATCH` bytes. */
let utf8Scratch = new Uint8Array(0)
const MAX_KEPT_SCRATCH = 16 * 1024 * 1024

/**
 * Both texts as UTF-8 for the native side, which reads a Uint8Array in place: a string is
 * encoded into reused scratch memory, in about half the time N-API takes to transcode it.
 * A lone surrogate becomes U+FFFD, as N-API would make it.
 */
function utf8Views(a: Text, b: Text): [Uint8Array, Uint8Array] {
  const units = (typeof a === 'string' ? a.length : 0) + (typeof b === 'string' ? b.length : 0)
  // ASCII takes one byte per UTF-16 unit, anything else at most three.
  return encodeInto(a, b, scratchOf(units)) ?? encodeInto(a, b, scratchOf(3 * units))!
}

function scratchOf(bytes: number): Uint8Array {
  if (utf8Scratch.length >= bytes) return utf8Scratch
  const grown = Math.max(bytes, 2 * utf8Scratch.length)
  if (grown > MAX_KEPT_SCRATCH) return new Uint8Array(bytes)
  utf8Scratch = new Uint8Array(grown)
  return utf8Scratch
}

/** a and b encoded one after the other into `scratch`, or undefined when they do not fit. */
function encodeInto(a: Text, b: Text, scratch: Uint8Array): [Uint8Array, Uint8Array] | undefined {
  let used = 0
  const view = (text: Text): Uint8Array | undefined => {
    if (typeof text !== 'string') return text
    const {read, written} = utf8Encoder.encodeInto(text, scratch.subarray(used))
    if (read < text.length) return undefined
    used += written
    return scratch.subarray(used - written, used)
  }
  const aBytes = view(a)
  const bBytes = aBytes && view(b)
  return aBytes && bBytes ? [aBytes, bBytes] : undefined
}

function hunksOf(raw: RawLineDiff): DiffHunk[] {
  const lines = raw.unified.split('\n')
  const hunks: DiffHunk[] = []
  let at = 2
  for (let i = 0; i < raw.hunks.length; i += 5) {
    const [oldStart = 0, oldLines = 0, newStart = 0, newLines = 0, bodyLines = 0] = raw.hunks.subarray(i, i + 5)
    hunks.push({
      oldStart,
      oldLines,
      newStart,
      newLines,
      header: lines[at] ?? '',
      lines: lines.slice(at + 1, at + 1 + bodyLines),
    })
    at += 1 + bodyLines
  }
  return hunks
}

/**
 * Applies a unified diff that changes one file (from any of `git diff`, `diff -u`, diffLines,
 * or FilePatch.patch) to that file's text. Each hunk is matched exactly where its header says,
 * then at the nearest offset, then (with ignoreWhitespace) ignoring whitespace. Either every
 * hunk applies or a TextEngineError 'E_HUNK_FAILED' lists each failed hunk; never a partial result.
 */
export function applyPatch(original: Text, patch: Text, options: ApplyPatchOptions = {}): AppliedPatch {
  const raw = callEngine(() =>
    load().applyPatch(original, patch, options.ignoreWhitespace ?? false, options.recount ?? false),
  )
  return {text: raw.text, hunks: JSON.parse(raw.hunks) as AppliedHunk[]}
}

/** Every file a (multi-file, git-extended) unified diff changes, in order. */
export function parsePatch(patch: Text, options: ParsePatchOptions = {}): FilePatch[] {
  return JSON.parse(callEngine(() => load().parsePatch(patch, options.strip ?? 1, options.recount ?? false))) as FilePatch[]
}

/**
 * Applies search/replace edits in order, each to the text the previous one produced. Each
 * search must match exactly once: none ('E_EDIT_NO_MATCH', with the nearest candidate and its
 * similarity) or several ('E_EDIT_AMBIGUOUS', with the count and lines) fails the whole batch.
 * An empty search is only accepted on an empty text (it fills it).
 */
export function applyEdits(original: Text, edits: readonly SearchReplace[], options: ApplyEditsOptions = {}): EditedText {
  const raw = callEngine(() =>
    load().applyEdits(
      original,
      edits.map((edit) => edit.search),
      edits.map((edit) => edit.replace),
      options.flexibleWhitespace ?? false,
    ),
  )
  return {text: raw.text, edits: JSON.parse(raw.edits) as AppliedEdit[]}
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

/** States built so far, the dead state 0 included: states are built as walks first reach them. */
export function constrainStateCount(dfa: NativeHandle<'dfa'>): number {
  return load().constrainStateCount(dfa)
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
