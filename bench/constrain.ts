/**
 * Constrained decoding: our engine (native/src/constrain) against outlines-core and llguidance,
 * measured in the same run on the same schema and the same tiktoken ranks.
 *
 *   npx tsx bench/constrain.ts            (creates bench/.venv with the peers on first run)
 *
 * Prints a table of figures and the ratios the issue sets as targets.
 */
import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'
import {get_encoding} from '@dqbd/tiktoken'
import {z} from 'zod'
import {
  FLEXIBLE_WHITESPACE,
  JsonConstraint,
  TokenIndex,
  UnsupportedSchemaError,
  Vocabulary,
} from '../src/llm/structured/index.js'

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url))
const VENV = join(BENCH_DIR, '.venv')
const PYTHON = join(VENV, 'bin', 'python')
const PEERS = ['outlines-core==0.2.14', 'llguidance==1.9.1', 'tiktoken==0.14.0']

const Path = z.string().max(256)
const ToolCall = z.object({
  thought: z.string(),
  call: z.discriminatedUnion('tool', [
    z.object({
      tool: z.literal('read_file'),
      args: z.object({path: Path, startLine: z.int().min(1).optional(), endLine: z.int().min(1).optional()}),
    }),
    z.object({
      tool: z.literal('write_file'),
      args: z.object({path: Path, content: z.string(), mode: z.enum(['overwrite', 'append', 'create'])}),
    }),
    z.object({
      tool: z.literal('search'),
      args: z.object({
        query: z.string().min(1),
        regex: z.boolean(),
        paths: z.array(Path).max(10),
        limit: z.int().min(1).max(500),
      }),
    }),
    z.object({
      tool: z.literal('run_command'),
      args: z.object({
        command: z.enum(['npm test', 'cargo test', 'pytest', 'go test ./...']),
        timeoutSec: z.int().min(1).max(3600),
        env: z.record(z.string(), z.string()),
      }),
    }),
    z.object({
      tool: z.literal('edit'),
      args: z.object({
        path: Path,
        edits: z.array(z.object({search: z.string(), replace: z.string(), occurrence: z.int().min(0).nullable()})).min(1).max(20),
      }),
    }),
  ]),
})

const instance = JSON.stringify({
  thought: 'The failing test reads the config before it exists; patch the loader.',
  call: {
    tool: 'edit',
    args: {
      path: 'src/config/load.ts',
      edits: [{search: 'readFileSync(path)', replace: "existsSync(path) ? readFileSync(path) : '{}'", occurrence: null}],
    },
  },
})

function time<T>(run: () => T): [T, number] {
  const started = performance.now()
  const value = run()
  return [value, performance.now() - started]
}

function ensurePeers(): void {
  if (existsSync(PYTHON)) return
  console.error('creating bench/.venv with', PEERS.join(' '))
  execFileSync('python3', ['-m', 'venv', VENV], {stdio: 'inherit'})
  execFileSync(join(VENV, 'bin', 'pip'), ['install', '-q', ...PEERS], {stdio: 'inherit'})
}

function peers(job: Record<string, unknown>): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'pyagent-bench-'))
  const file = join(dir, 'job.json')
  writeFileSync(file, JSON.stringify(job))
  const out = execFileSync(PYTHON, [join(BENCH_DIR, 'constrain_peers.py'), file], {maxBuffer: 1 << 28, encoding: 'utf8'})
  return JSON.parse(out) as Record<string, unknown>
}

function loadCorpus(): unknown[] {
  const dir = join(BENCH_DIR, 'schemas')
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown[])
}

/** Walks the instance's tokens, returning the states met (to time mask retrieval on). */
function statesOf(index: TokenIndex, start: number, tokens: Uint32Array): number[] {
  const states = [start]
  let state = start
  for (const token of tokens) {
    if (!index.allows(state, token)) throw new Error(`token ${token} masked at state ${state}`)
    state = index.advance(state, token)
    states.push(state)
  }
  return states
}

function streamingThroughput(): {mbPerSecChunked: number; mbPerSecWhole: number; jsonParseMbPerSec: number} {
  const Log = z.array(
    z.object({id: z.int().min(0), level: z.enum(['debug', 'info', 'warn', 'error']), message: z.string(), tags: z.array(z.string()).max(5)}),
  )
  const constraint = JsonConstraint.fromJsonSchema(z.toJSONSchema(Log))
  const entries = Array.from({length: 60_000}, (_, i) => ({
    id: i,
    level: ['debug', 'info', 'warn', 'error'][i % 4],
    message: `request ${i} took ${i % 97} ms — path /api/v1/items/${i}?q=\\"x\\"`,
    tags: ['api', 'http', 'ünïcode'].slice(0, i % 4),
  }))
  const text = Buffer.from(JSON.stringify(entries, null, 1))
  const mb = text.length / 1e6
  const chunk = 64
  const [, chunkedMs] = time(() => {
    const validator = constraint.validator()
    for (let i = 0; i < text.length; i += chunk) validator.feed(text.subarray(i, i + chunk))
    if (validator.status !== 'complete') throw new Error(`stream not complete: ${validator.status}`)
  })
  const [, wholeMs] = time(() => {
    if (constraint.validator().feed(text) !== 'complete') throw new Error('text not complete')
  })
  const asString = text.toString()
  const [, parseMs] = time(() => JSON.parse(asString))
  return {mbPerSecChunked: mb / (chunkedMs / 1e3), mbPerSecWhole: mb / (wholeMs / 1e3), jsonParseMbPerSec: mb / (parseMs / 1e3)}
}

function main(): void {
  ensurePeers()
  const schema = z.toJSONSchema(ToolCall)
  const corpus = loadCorpus()
  const rows: [string, string][] = []
  const row = (label: string, value: number | string, unit = '') =>
    rows.push([label, typeof value === 'number' ? `${value.toFixed(value < 10 ? 3 : 1)}${unit}` : value])

  for (const encoding of ['cl100k_base', 'o200k_base'] as const) {
    const encoderPath = createRequire(import.meta.url).resolve(`@dqbd/tiktoken/encoders/${encoding}.json`)
    const peer = peers({schema, encoding, encoderPath, whitespace: FLEXIBLE_WHITESPACE, instance, corpus: encoding === 'cl100k_base' ? corpus : []})
    const [vocabulary, vocabMs] = time(() => Vocabulary.tiktoken(encoding))

    // Time to first mask: compile the schema, then one mask, nothing precomputed.
    const [firstMaskConstraint, firstMaskMs] = time(() => {
      const constraint = JsonConstraint.fromJsonSchema(schema)
      new TokenIndex(constraint, vocabulary).mask(constraint.startState)
      return constraint
    })
    const [eager, eagerMs] = time(() => new TokenIndex(firstMaskConstraint, vocabulary, {eager: true}))

    // Index build on outlines-core's own regex for the same schema.
    const outlinesRegex = String(peer.outlinesRegex)
    const [sameRegexIndex, sameRegexMs] = time(() => new TokenIndex(JsonConstraint.fromRegex(outlinesRegex), vocabulary, {eager: true}))

    const encoder = get_encoding(encoding)
    const states = statesOf(eager, firstMaskConstraint.startState, encoder.encode(instance))
    encoder.free()
    const rounds = 2_000
    const [, maskMs] = time(() => {
      let sink = 0
      for (let r = 0; r < rounds; r++) for (const state of states) sink += eager.mask(state).length
      return sink
    })
    const maskNs = (maskMs * 1e6) / (rounds * states.length)

    row(`${encoding}: vocabulary load (ours, once)`, vocabMs, ' ms')
    row(`${encoding}: DFA states / bytes`, `${firstMaskConstraint.stateCount} / ${firstMaskConstraint.stats.bytes}`)
    row(`${encoding}: index build, tool-call schema (ours, eager)`, eagerMs, ' ms')
    row(`${encoding}: index memory (ours)`, `${((eager.stats.bytes ?? 0) / 1e6).toFixed(1)} MB, ${eager.stats.distinctMasks} distinct masks`)
    row(`${encoding}: index build, outlines regex (ours)`, sameRegexMs, ' ms')
    row(`${encoding}: index build, outlines regex (outlines-core)`, Number(peer.outlinesIndexMs), ' ms')
    row(`${encoding}: RATIO outlines-core / ours index build (target >= 2)`, Number(peer.outlinesIndexMs) / sameRegexMs, 'x')
    row(`${encoding}: mask retrieval (ours, per token)`, maskNs / 1e3, ' us')
    row(`${encoding}: mask retrieval (outlines-core get_allowed_tokens)`, Number(peer.outlinesMaskUs), ' us')
    row(`${encoding}: mask per token (llguidance compute_bitmask)`, Number(peer.llguidanceMaskUs), ' us')
    row(`${encoding}: time to first mask (ours, lazy)`, firstMaskMs, ' ms')
    row(`${encoding}: time to first mask (llguidance)`, Number(peer.llguidanceFirstMaskMs), ' ms')
    row(`${encoding}: RATIO ours / llguidance first mask (target <= 10)`, firstMaskMs / Number(peer.llguidanceFirstMaskMs), 'x')
    if (peer.llguidanceError) row(`${encoding}: llguidance error`, String(peer.llguidanceError))
    void sameRegexIndex

    if (encoding === 'cl100k_base' && corpus.length > 0) {
      let ours = 0
      const reasons = new Map<string, number>()
      for (const entry of corpus) {
        try {
          JsonConstraint.fromJsonSchema(entry)
          ours++
        } catch (error) {
          const reason = error instanceof UnsupportedSchemaError ? error.keyword : 'dfa'
          reasons.set(reason, (reasons.get(reason) ?? 0) + 1)
        }
      }
      const coverage = peer.coverage as {outlines: number; llguidance: number}
      row('schema coverage (ours / outlines-core / llguidance)', `${ours} / ${coverage.outlines} / ${coverage.llguidance} of ${corpus.length}`)
      row('ours: refused by keyword', [...reasons].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', '))
    }
  }

  const throughput = streamingThroughput()
  row('streaming validation, 64-byte chunks (ours)', throughput.mbPerSecChunked, ' MB/s')
  row('streaming validation, one chunk (ours)', throughput.mbPerSecWhole, ' MB/s')
  row('JSON.parse of the same text (V8, reference)', throughput.jsonParseMbPerSec, ' MB/s')

  const width = Math.max(...rows.map(([label]) => label.length))
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`)
}

main()
