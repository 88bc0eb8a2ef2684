/**
 * Diff speed: our diffLines (diff + git-style unified text, through N-API) against jsdiff's
 * createTwoFilesPatch and against `git diff --no-index` (whole process, minus the start-up of
 * a process measured with `git --version`). Every figure is measured in the same run; the
 * jsdiff ratios are taken per round, between samples measured next to each other.
 *
 *   npx tsx bench/diff.ts
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {createTwoFilesPatch} from 'diff'
import {diffLines, type DiffAlgorithm} from '../src/native.js'
import {diffScenarios, text} from './diff-scenarios.js'

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

const median = (values: number[]) => quantile(values, 0.5)

/** Every order of `items`. */
function orders<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items]
  return items.flatMap((item, i) => orders([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]))
}

/**
 * Milliseconds of each contender per round, measured in interleaved rounds so that all of them
 * see the same load on a shared machine; a contender that skipped a round has no sample there.
 * The rounds go through every order of the contenders, so that each follows each other one as
 * often: a call runs slower after one that evicted the caches (jsdiff allocates megabytes). A
 * contender whose samples already add up to `slowMs` stops early (jsdiff needs seconds for some
 * scenarios).
 */
function interleaved(
  contenders: Record<string, () => unknown>,
  rounds: number,
  slowMs = 3000,
): Record<string, (number | undefined)[]> {
  const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, [] as (number | undefined)[]]))
  const arrangements = orders(Object.entries(contenders))
  const spent = (name: string) => samples[name]!.reduce<number>((sum, ms) => sum + (ms ?? 0), 0)
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of arrangements[round % arrangements.length]!) {
      if (spent(name) > slowMs) {
        samples[name]!.push(undefined)
        continue
      }
      const start = performance.now()
      run()
      samples[name]!.push(performance.now() - start)
    }
  }
  return samples
}

const taken = (samples: (number | undefined)[]) => samples.filter((ms): ms is number => ms !== undefined)

/** `slow / fast` per round where both have a sample: the median and the interquartile range. */
function ratio(slow: (number | undefined)[], fast: (number | undefined)[]): string {
  const ratios = slow.flatMap((ms, round) => (ms !== undefined && fast[round] !== undefined ? [ms / fast[round]!] : []))
  const digits = median(ratios) >= 10 ? 0 : 1
  const show = (q: number) => quantile(ratios, q).toFixed(digits)
  return `${show(0.5)}x (${show(0.25)}-${show(0.75)})`
}

const dir = mkdtempSync(join(tmpdir(), 'pyagent-bench-diff-'))
const gitEnv = {...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null'}
const git = (...args: string[]) => () => spawnSync('git', args, {cwd: dir, env: gitEnv, maxBuffer: 1 << 28})

const scenarios = diffScenarios()

// Warm the JIT and the module up before anything is measured.
for (let i = 0; i < 20; i++) {
  createTwoFilesPatch('a', 'b', scenarios[0]!.a, scenarios[0]!.b)
  diffLines(scenarios[0]!.a, scenarios[0]!.b)
}

const loadBefore = loadavg()[0]!
const rows: string[][] = []
let processStartMs = 0
for (const {name, a, b} of scenarios) {
  writeFileSync(join(dir, 'a'), a)
  writeFileSync(join(dir, 'b'), b)
  const ours = (algorithm: DiffAlgorithm) => () => diffLines(a, b, {algorithm, aPath: 'a', bPath: 'b'}).unified
  // In-process contenders and git processes in two groups: after a child process, the parent
  // pays copy-on-write page faults, which would fall on whichever contender came next.
  const inProcess = interleaved(
    {histogram: ours('histogram'), myers: ours('myers'), jsdiff: () => createTwoFilesPatch('a', 'b', a, b)},
    36,
  )
  const processes = interleaved(
    {
      start: git('--version'),
      git: git('diff', '--no-index', '--no-color', 'a', 'b'),
      gitHistogram: git('diff', '--no-index', '--no-color', '--histogram', 'a', 'b'),
    },
    18,
  )
  const [histogram, myers, jsdiff] = [inProcess.histogram!, inProcess.myers!, inProcess.jsdiff!].map(taken) as [
    number[],
    number[],
    number[],
  ]
  processStartMs = median(taken(processes.start!))
  const gitMyers = Math.max(0.01, median(taken(processes.git!)) - processStartMs)
  const gitHistogram = Math.max(0.01, median(taken(processes.gitHistogram!)) - processStartMs)
  rows.push([
    name,
    median(histogram).toFixed(2),
    median(myers).toFixed(2),
    median(jsdiff).toFixed(1),
    gitMyers.toFixed(2),
    gitHistogram.toFixed(2),
    ratio(inProcess.jsdiff!, inProcess.histogram!),
    ratio(inProcess.jsdiff!, inProcess.myers!),
    `${(gitMyers / median(myers)).toFixed(2)}x`,
    `${(gitHistogram / median(histogram)).toFixed(2)}x`,
  ])
}
rmSync(dir, {recursive: true, force: true})

const header = ['scenario', 'ours hist ms', 'ours myers ms', 'jsdiff ms', 'git myers ms', 'git hist ms', 'jsdiff/ours hist', 'jsdiff/ours myers', 'git/ours myers', 'git/ours hist']
console.log(`load average (1 min) ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after; ms are medians`)
console.log(`git process start (git --version, last scenario): ${processStartMs.toFixed(2)} ms, subtracted from git figures`)
console.log('jsdiff/ours: median of the per-round ratios, with their interquartile range')
console.log(header.join(' | '))
for (const row of rows) console.log(row.join(' | '))

// N-API round trip: one changed line in 50, through the typed wrapper.
const small = Array.from({length: 50}, (_, i) => `line ${i}`)
const smallA = text(small)
const smallB = smallA.replace('line 25\n', 'line twenty-five\n')
// Blocks of calls, alternating between the two, so both see the same load.
const perCallUs = interleaved(
  {
    ours: () => {
      for (let i = 0; i < 2000; i++) diffLines(smallA, smallB).unified
    },
    jsdiff: () => {
      for (let i = 0; i < 2000; i++) createTwoFilesPatch('file', 'file', smallA, smallB)
    },
  },
  12,
)
const tinyOurs = (median(taken(perCallUs.ours!)) * 1000) / 2000
const tinyJsdiff = (median(taken(perCallUs.jsdiff!)) * 1000) / 2000
console.log(
  `tiny (1 changed line in 50): ours ${tinyOurs.toFixed(1)} µs/call, jsdiff ${tinyJsdiff.toFixed(1)} µs/call, jsdiff/ours ${ratio(perCallUs.jsdiff!, perCallUs.ours!)}`,
)
