/**
 * The one place that loads PyAgent's Rust module (native/index.node) and gives it types.
 * Every other module imports from here, so a missing or stale binary fails in one way,
 * with one message that says how to fix it.
 */
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'

interface NativeBinding {
  version(): string
  blake3(data: Buffer | string): string
  panicForTest(message: string): never
  metricsAnalyze(source: Buffer | string, language: MetricsLanguage): FileMetrics
  metricsLanguageForPath(path: string): MetricsLanguage | null
}

const REQUIRED_EXPORTS: readonly (keyof NativeBinding)[] = [
  'version',
  'blake3',
  'panicForTest',
  'metricsAnalyze',
  'metricsLanguageForPath',
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

/** The metrics language of a file from its extension, or null when metrics do not cover it. */
export function metricsLanguageForPath(path: string): MetricsLanguage | null {
  return load().metricsLanguageForPath(path)
}

/** Per-function cyclomatic complexity and size of one file's text, parsed with tree-sitter. */
export function analyzeMetrics(source: Buffer | string, language: MetricsLanguage): FileMetrics {
  return load().metricsAnalyze(source, language)
}
