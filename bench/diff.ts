/**
 * Diff speed: our diffLines (diff + git-style unified text, through N-API) against jsdiff's
 * createTwoFilesPatch and against `git diff --no-index` (whole process, minus the start-up of
 * a process measured with `git --version`). Every figure is measured in the same run.
 *
 *   npx tsx bench/diff.ts
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createTwoFilesPatch} from 'diff'
import {diffLines, type DiffAlgorithm} from '../src/native.js'

let seed = 0x9e3779b9
function random(): number {
  seed = (seed * 1664525 + 1013904223) >>> 0
  return seed / 2 ** 32
}

const SNIPPETS = ['}', '', '  return result', '  if (!ok) {', '    throw new Error(message)', '  }', 'export function step() {']

function sourceLine(i: number): string {
  return random() < 0.3 ? SNIPPETS[Math.floor(random() * SNIPPETS.length)]! : `  const v${i} = compute(${Math.floor(random() * 1e6)}, 'k${i % 97}')`
}

function file(lines: number): string[] {
  return Array.from({length: lines}, (_, i) => sourceLine(i))
}

/** Changes `share` of the lines at scattered places: replacements, insertions and deletions. */
function scatter(lines: string[], share: number): string[] {
  const out: string[] = []
  for (const [i, line] of lines.entries()) {
    const roll = random()
    if (roll < share / 3) out.push(`${line} // edited`)
    else if (roll < (2 * share) / 3) out.push(line, `  inserted(${i})`)
    else if (roll >= share) out.push(line)
  }
  return out
}

const text = (lines: string[]) => `${lines.join('\n')}\n`

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y)
  return sorted[Math.floor(sorted.length / 2)]!
}

/**
 * Median milliseconds of `run`, over at least `minRuns` runs and about `budgetMs` of time; a
 * warm-up run that alone exceeds the budget is the only sample (jsdiff takes seconds on some).
 */
function time(run: () => unknown, minRuns = 3, budgetMs = 400): number {
  const warmUp = performance.now()
  run()
  const warmUpMs = performance.now() - warmUp
  if (warmUpMs > budgetMs) return warmUpMs
  const samples: number[] = []
  const deadline = performance.now() + budgetMs
  while (samples.length < minRuns || (performance.now() < deadline && samples.length < 200)) {
    const start = performance.now()
    run()
    samples.push(performance.now() - start)
  }
  return median(samples)
}

const dir = mkdtempSync(join(tmpdir(), 'pyagent-bench-diff-'))
const gitEnv = {...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null'}
function gitMs(args: string[]): number {
  return time(() => spawnSync('git', args, {cwd: dir, env: gitEnv, maxBuffer: 1 << 28}), 5, 1500)
}
const processStartMs = gitMs(['--version'])

interface Scenario {
  name: string
  a: string
  b: string
}

const ten = file(10_000)
const hundred = file(100_000)
const scenarios: Scenario[] = [
  {name: '(a) 10k lines, 1% changed', a: text(ten), b: text(scatter(ten, 0.01))},
  {name: '(b) 100k lines, scattered edits', a: text(hundred), b: text(scatter(hundred, 0.01))},
  // 5k lines: jsdiff needs tens of seconds for a 10k-line rewrite.
  {name: '(c) 5k lines, whole rewrite', a: text(ten.slice(0, 5_000)), b: text(file(5_000))},
]

const rows: string[][] = []
for (const {name, a, b} of scenarios) {
  writeFileSync(join(dir, 'a'), a)
  writeFileSync(join(dir, 'b'), b)
  const ours = (algorithm: DiffAlgorithm) => time(() => diffLines(a, b, {algorithm, aPath: 'a', bPath: 'b'}).unified)
  const histogram = ours('histogram')
  const myers = ours('myers')
  const jsdiff = time(() => createTwoFilesPatch('a', 'b', a, b), 1, 1000)
  const git = Math.max(0.01, gitMs(['diff', '--no-index', '--no-color', 'a', 'b']) - processStartMs)
  const gitHistogram = Math.max(0.01, gitMs(['diff', '--no-index', '--no-color', '--histogram', 'a', 'b']) - processStartMs)
  rows.push([
    name,
    histogram.toFixed(2),
    myers.toFixed(2),
    jsdiff.toFixed(1),
    git.toFixed(2),
    gitHistogram.toFixed(2),
    `${(jsdiff / histogram).toFixed(0)}x`,
    `${(git / myers).toFixed(2)}x`,
    `${(gitHistogram / histogram).toFixed(2)}x`,
  ])
}
rmSync(dir, {recursive: true, force: true})

const header = ['scenario', 'ours hist ms', 'ours myers ms', 'jsdiff ms', 'git myers ms', 'git hist ms', 'jsdiff/ours', 'git/ours myers', 'git/ours hist']
console.log(`git process start (git --version): ${processStartMs.toFixed(2)} ms, subtracted from git figures`)
console.log(header.join(' | '))
for (const row of rows) console.log(row.join(' | '))

// N-API round trip: one changed line in 50, through the typed wrapper.
const small = Array.from({length: 50}, (_, i) => `line ${i}`)
const smallA = text(small)
const smallB = smallA.replace('line 25\n', 'line twenty-five\n')
const calls = 20_000
const roundTrip = (run: () => unknown) => {
  for (let i = 0; i < 2000; i++) run()
  const start = performance.now()
  for (let i = 0; i < calls; i++) run()
  return ((performance.now() - start) * 1000) / calls
}
const tinyOurs = roundTrip(() => diffLines(smallA, smallB).unified)
const tinyJsdiff = roundTrip(() => createTwoFilesPatch('file', 'file', smallA, smallB))
console.log(`tiny (1 changed line in 50): ours ${tinyOurs.toFixed(1)} µs/call, jsdiff ${tinyJsdiff.toFixed(1)} µs/call, jsdiff/ours ${(tinyJsdiff / tinyOurs).toFixed(1)}x`)
