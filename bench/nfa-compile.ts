/**
 * Our counted NFA (native/src/constrain/nfa.rs) against regex-automata's Thompson NFA, the crate
 * it replaced, compiling the same regexes in the same run: the tool-call schema's and the schema
 * corpus's, as production turns schemas into regexes (JsonConstraint.fromJsonSchema's defaults).
 *
 *   npx tsx bench/nfa-compile.ts              compile time (interleaved rounds), sizes, and a
 *                                             sampled check that both accept the same language
 *   npx tsx bench/nfa-compile.ts --callgrind  compile cost in instructions, regex by regex (valgrind)
 *
 * Both compilers run in Rust: this script writes the regexes to a job file and runs the ignored
 * test native/src/constrain/compile_bench.rs in release mode, then reports what it measured.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {z} from 'zod'
import {JsonConstraint, UnsupportedSchemaError} from '../src/llm/structured/index.js'
import {instructionsPerCall} from './callgrind.js'
import {loadCorpus, ToolCall} from './schemas/index.js'

const MANIFEST = fileURLToPath(new URL('../native/Cargo.toml', import.meta.url))
const TEST = 'constrain::compile_bench::nfa_compile_against_regex_automata'
const TEST_ARGS = [TEST, '--exact', '--ignored', '--nocapture', '--test-threads=1']
/** The bench's wrappers around each compiler, which callgrind counts call by call. */
const COMPILE_FN = {ours: 'pyagent_native::constrain::compile_bench::ours', 'regex-automata': 'pyagent_native::constrain::compile_bench::regex_automata'}
const ROUNDS = 9
/** How many of the regexes where ours loses the report names, worst first. */
const SHOWN_LOSSES = 12

interface NamedRegex {
  name: string
  regex: string
}

type Mode = 'time' | 'ours' | 'regex-automata'

const CargoArtifact = z.object({reason: z.literal('compiler-artifact'), profile: z.object({test: z.boolean()}), executable: z.string().nullable()})

const Results = z.object({
  sizeLimitBytes: z.number(),
  measured: z.array(
    z.object({
      name: z.string(),
      oursMs: z.array(z.number()),
      theirsMs: z.array(z.number()),
      parseMs: z.array(z.number()),
      oursInsts: z.number(),
      oursBytes: z.number(),
      theirsStates: z.number(),
      theirsBytes: z.number(),
    }),
  ),
  notCompiled: z.array(z.object({name: z.string(), ours: z.string().nullable(), theirs: z.string().nullable()})),
  prefixesCompared: z.number(),
  disagreements: z.array(z.string()),
})
type Measured = z.infer<typeof Results>['measured'][number]

/** One regex's cost under each compiler. */
interface Cost {
  name: string
  ours: number
  theirs: number
}

/** Builds the crate's release test binary and returns its path. */
function testBinary(): string {
  const out = execFileSync('cargo', ['test', '--release', '--manifest-path', MANIFEST, '--lib', '--no-run', '--message-format=json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  for (const line of out.split('\n')) {
    const artifact = CargoArtifact.safeParse(JSON.parse(line || 'null'))
    if (artifact.success && artifact.data.profile.test && artifact.data.executable) return artifact.data.executable
  }
  throw new Error('cargo test --no-run built no test binary for native/; run it by hand to see why')
}

/** Writes the Rust side's job; returns the environment that points it there, and where time mode writes its results. */
function writeJob(mode: Mode, regexes: NamedRegex[]): {env: Record<string, string>; out: string} {
  const dir = mkdtempSync(join(tmpdir(), 'pyagent-nfa-bench-'))
  const out = join(dir, 'results.json')
  writeFileSync(join(dir, 'job.json'), JSON.stringify({mode, rounds: ROUNDS, regexes, out}))
  return {env: {PYAGENT_NFA_BENCH_JOB: join(dir, 'job.json')}, out}
}

function timeCompiles(binary: string, regexes: NamedRegex[]): z.infer<typeof Results> {
  const {env, out} = writeJob('time', regexes)
  const run = spawnSync(binary, TEST_ARGS, {stdio: ['ignore', 'ignore', 'inherit'], env: {...process.env, ...env}})
  if (run.status !== 0) throw new Error(`the benchmark test failed (exit ${run.status}); its output is above`)
  return Results.parse(JSON.parse(readFileSync(out, 'utf8')))
}

/** Instructions in each regex's compile, in order: the second of the two compiles the Rust side makes of each. */
function countCompiles(binary: string, mode: 'ours' | 'regex-automata', regexes: NamedRegex[]): number[] {
  const counts = instructionsPerCall(binary, TEST_ARGS, COMPILE_FN[mode], {env: writeJob(mode, regexes).env})
  if (counts.length !== 2 * regexes.length) throw new Error(`callgrind counted ${counts.length} compiles of ${regexes.length} regexes, twice each (${mode})`)
  return counts.filter((_, i) => i % 2 === 1)
}

/** Production's regexes for the corpus; schemas our converter refuses have none, counted by keyword. */
function corpusRegexes(): {regexes: NamedRegex[]; refused: Map<string, number>} {
  const regexes: NamedRegex[] = []
  const refused = new Map<string, number>()
  for (const {name, schema} of loadCorpus()) {
    try {
      regexes.push({name, regex: JsonConstraint.fromJsonSchema(schema).regex})
    } catch (error) {
      if (!(error instanceof UnsupportedSchemaError)) throw error
      refused.set(error.keyword, (refused.get(error.keyword) ?? 0) + 1)
    }
  }
  return {regexes, refused}
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.round((sorted.length - 1) * q)] ?? Number.NaN
}

const median = (values: number[]) => quantile(values, 0.5)
const spread = (values: number[], digits = 3) => `${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`
const row = (label: string, value: string) => console.log(`${label.padEnd(66)}  ${value}`)

/** Totals and the per-regex distribution of regex-automata's cost over ours (above 1: ours is cheaper). */
function reportCosts(label: string, what: string, costs: Cost[], format: (n: number) => string): void {
  const ours = costs.reduce((sum, c) => sum + c.ours, 0)
  const theirs = costs.reduce((sum, c) => sum + c.theirs, 0)
  row(`${label}: ${what}, total (ours / regex-automata)`, `${format(ours)} / ${format(theirs)}`)
  row(`${label}: RATIO regex-automata / ours, total ${what}`, `${(theirs / ours).toFixed(1)}x`)
  const byRatio = costs.map((c) => ({...c, ratio: c.theirs / c.ours})).sort((a, b) => a.ratio - b.ratio)
  const ratios = byRatio.map((c) => c.ratio)
  const worst = byRatio[0]
  row(
    `${label}: per regex, regex-automata / ours, ${what}`,
    `median ${median(ratios).toFixed(1)}x, p10 ${quantile(ratios, 0.1).toFixed(1)}x, p90 ${quantile(ratios, 0.9).toFixed(1)}x, ` +
      `worst ${worst?.ratio.toFixed(2)}x (${worst?.name}), best ${quantile(ratios, 1).toFixed(1)}x`,
  )
  const losses = byRatio.filter((c) => c.ratio < 1)
  const named = losses.slice(0, SHOWN_LOSSES).map((c) => `${c.name} ${c.ratio.toFixed(2)}x`)
  const more = losses.length > SHOWN_LOSSES ? ` and ${losses.length - SHOWN_LOSSES} more` : ''
  row(`${label}: regexes where ours loses on ${what}`, losses.length === 0 ? 'none' : `${losses.length}, worst first: ${named.join(', ')}${more}`)
}

function reportToolCall(m: Measured): void {
  const perRound = m.theirsMs.map((t, i) => t / (m.oursMs[i] ?? Number.NaN))
  row('tool-call: compile, ours (median ms, spread)', `${median(m.oursMs).toFixed(3)} (${spread(m.oursMs)})`)
  row('tool-call: compile, regex-automata', `${median(m.theirsMs).toFixed(3)} (${spread(m.theirsMs)})`)
  row("tool-call: of which regex-syntax's parse (both compilers parse)", median(m.parseMs).toFixed(3))
  row('tool-call: RATIO regex-automata / ours, compile time', `${(median(m.theirsMs) / median(m.oursMs)).toFixed(1)}x (per round ${spread(perRound, 1)})`)
  row('tool-call: size, ours', `${m.oursInsts} instructions, ${m.oursBytes} bytes`)
  row('tool-call: size, regex-automata', `${m.theirsStates} states, ${m.theirsBytes} bytes`)
  row('tool-call: RATIO regex-automata / ours, bytes', `${(m.theirsBytes / m.oursBytes).toFixed(1)}x`)
}

function timeBoth(binary: string, toolCall: NamedRegex, corpus: NamedRegex[]): void {
  const results = timeCompiles(binary, [toolCall, ...corpus])
  for (const failed of results.notCompiled) row(`${failed.name}: NOT COMPILED`, `ours: ${failed.ours ?? 'compiled'}; regex-automata: ${failed.theirs ?? 'compiled'}`)
  row(`regexes either compiler failed on (size limit ${results.sizeLimitBytes / 2 ** 20} MiB, as production)`, String(results.notCompiled.length))
  const toolCallMeasured = results.measured.find((m) => m.name === toolCall.name)
  if (toolCallMeasured) reportToolCall(toolCallMeasured)
  const corpusMeasured = results.measured.filter((m) => m !== toolCallMeasured)
  row(`schema corpus: regexes compiled by both (time: median of ${ROUNDS} rounds)`, String(corpusMeasured.length))
  const ms = (n: number) => `${n.toFixed(1)} ms`
  reportCosts('schema corpus', 'compile time', corpusMeasured.map((m) => ({name: m.name, ours: median(m.oursMs), theirs: median(m.theirsMs)})), ms)
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`
  reportCosts('schema corpus', 'bytes', corpusMeasured.map((m) => ({name: m.name, ours: m.oursBytes, theirs: m.theirsBytes})), mb)
  row(
    `same language, sampled: random walks through both lazy DFAs, prefixes compared`,
    `${results.prefixesCompared}, disagreements ${results.disagreements.length}`,
  )
  for (const disagreement of results.disagreements.slice(0, SHOWN_LOSSES)) row('  DISAGREEMENT', disagreement)
  if (results.disagreements.length > 0) process.exitCode = 1
}

function countBoth(binary: string, toolCall: NamedRegex, corpus: NamedRegex[]): void {
  const regexes = [toolCall, ...corpus]
  const ours = countCompiles(binary, 'ours', regexes)
  const theirs = countCompiles(binary, 'regex-automata', regexes)
  const costs = regexes.map((r, i) => ({name: r.name, ours: ours[i] ?? Number.NaN, theirs: theirs[i] ?? Number.NaN}))
  const [toolCallCost, ...corpusCosts] = costs
  const millions = (n: number) => `${(n / 1e6).toFixed(1)}M`
  if (toolCallCost) {
    row('tool-call: compile, instructions (ours / regex-automata)', `${millions(toolCallCost.ours)} / ${millions(toolCallCost.theirs)}`)
    row('tool-call: RATIO regex-automata / ours, instructions', `${(toolCallCost.theirs / toolCallCost.ours).toFixed(1)}x`)
  }
  reportCosts('schema corpus', 'instructions', corpusCosts, millions)
}

function main(): void {
  const binary = testBinary()
  const toolCall = {name: 'tool-call', regex: JsonConstraint.fromJsonSchema(z.toJSONSchema(ToolCall)).regex}
  const {regexes: corpus, refused} = corpusRegexes()
  const refusals = [...refused].map(([keyword, n]) => `${keyword} ${n}`).join(', ')
  row('schema corpus: regexes (from bench/schemas)', String(corpus.length))
  row('schema corpus: refused by schema_to_regex, so not compiled', refusals || 'none')
  const load = () => loadavg().map((n) => n.toFixed(2)).join(', ')
  row('load average before', load())
  if (process.argv.includes('--callgrind')) countBoth(binary, toolCall, corpus)
  else timeBoth(binary, toolCall, corpus)
  row('load average after', load())
  console.log(
    'same language: native/src/constrain/tests.rs counted_repetitions_accept_exactly_what_their_expansion_accepts also checks every ' +
      'text up to 7 bytes on 13 regexes that stress counted repetitions, against a minimised regex-automata DFA',
  )
}

main()
