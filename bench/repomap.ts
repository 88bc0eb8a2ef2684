/**
 * The repository map (src/memory) against aider's RepoMap (aider-chat 0.86.2, the reference
 * this map's ranking follows) on real code available offline: zod's TypeScript sources, the
 * regex-automata crate, and Python's standard library without its tests. Each corpus is copied
 * into a fresh git repository; both maps get the same files, the same mentioned files and the
 * same mentioned identifiers (what PyAgent finds in the task's text).
 *
 * Reported per corpus: how many of aider's top-20 files and top-20 (file, name) definitions ours
 * ranks in its own top 20, with and without a task (and the same with aider's own tags fed to
 * our ranking, which separates the ranking from the tags), how many of each top 20 are tests; the time to build a 1024-token map cold (no
 * cache) and warm (cache filled, nothing changed), in-process and as a whole process (`pyagent
 * map --json` against `python aider_map.py`). Then, for ours alone, a tree of ~5,000 source files
 * (the corpora above plus every crate in the cargo registry and more of node_modules): indexing
 * cold, warm, and after one file changed, and the process's peak memory.
 *
 * Needs `npm run build` (the CLI runs from dist/) and aider in a git-ignored venv:
 *   python3 -m venv bench/.venv-aider && bench/.venv-aider/bin/pip install aider-chat==0.86.2
 * Run: npx tsx bench/repomap.ts [--skip-corpora] [--skip-big] [--aider-big] [--keep]
 */
import {spawnSync} from 'node:child_process'
import {appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

import {TokenCounter} from '../src/llm/tokens.js'
import {mentionsIn} from '../src/memory/mentions.js'
import {rankDefinitions} from '../src/memory/rank.js'
import {buildRepoMap} from '../src/memory/repo-map.js'
import {indexTags} from '../src/memory/tag-index.js'
import {openStateAt} from '../src/state/db.js'
import {workingTree} from '../src/workspace/working-tree.js'
import {type AiderTags, aiderTagsAsOurs, type CorpusSource, crateDir, gitCorpus, rankedFiles, STDLIB_SKIP, stdlibDir} from './repomap/corpus.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const AIDER_PYTHON = join(ROOT, 'bench/.venv-aider/bin/python')
const AIDER_SCRIPT = join(ROOT, 'bench/repomap/aider_map.py')
const CLI = join(ROOT, 'bin/run.js')
const TOKENS = 1024
const TOP = 20

const log = (line: string) => process.stderr.write(`${line}\n`)

interface Corpus {
  name: string
  sources: CorpusSource[]
  task: string
}

const CORPORA: Corpus[] = [
  {
    name: 'zod (TypeScript)',
    sources: [{from: join(ROOT, 'node_modules/zod/src'), to: 'src'}],
    task: 'z.string().email() should accept internationalised domains: see the checks in src/v4/core/checks.ts and the patterns in regexes.ts',
  },
  {
    name: 'regex-automata (Rust)',
    sources: [{from: crateDir('regex-automata-0.4'), to: ''}],
    task: 'the lazy DFA Cache thrashes on large Unicode classes; look at src/hybrid/dfa.rs and how search.rs calls find_fwd',
  },
  {
    name: 'stdlib (Python)',
    sources: [{from: stdlibDir(), to: 'lib', skip: STDLIB_SKIP}],
    task: 'asyncio: StreamReader.readuntil hangs when the separator spans two chunks (lib/asyncio/streams.py)',
  },
]

interface Ranked {
  files: string[]
  pairs: [string, string][]
}

interface AiderRun extends Ranked {
  tags: AiderTags
  buildMs: number
  tokens: number
  wallMs: number
}

function runAider(root: string, files: string[], mentioned: {files: string[]; identifiers: string[]}): AiderRun {
  const request = JSON.stringify({root, files, mentionedFiles: mentioned.files, mentionedIdents: mentioned.identifiers, tokens: TOKENS, rankLimit: 200})
  const started = performance.now()
  // aider orders tied ranks as its sets iterate, which Python's string hashing varies per run: pinned, as in bench/map-quality.ts.
  const result = spawnSync(AIDER_PYTHON, [AIDER_SCRIPT, request], {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: {...process.env, PYTHONHASHSEED: '0'}})
  const wallMs = performance.now() - started
  if (result.status !== 0) throw new Error(`aider failed on ${root}: ${result.stderr}`)
  const last = result.stdout.trim().split('\n').at(-1)!
  return {...(JSON.parse(last) as Omit<AiderRun, 'wallMs'>), wallMs}
}

interface OursRun {
  buildMs: number
  tokens: number
  wallMs: number
}

function runOurs(root: string, task: string | undefined): OursRun {
  const args = [CLI, 'map', '--json', '--tokens', String(TOKENS), '--cwd', root, ...(task ? ['--task', task] : [])]
  const started = performance.now()
  const result = spawnSync(process.execPath, args, {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
  const wallMs = performance.now() - started
  if (result.status !== 0) throw new Error(`pyagent map failed on ${root}: ${result.stderr}${result.stdout}`)
  const map = JSON.parse(result.stdout) as {tokens: number; timings: {index: number; rank: number; render: number}}
  return {buildMs: map.timings.index + map.timings.rank + map.timings.render, tokens: map.tokens, wallMs}
}

async function oursRanking(root: string, paths: string[], mentioned: {files: string[]; identifiers: string[]}): Promise<Ranked> {
  const index = await indexTags(root, paths)
  const ranking = await rankDefinitions(index.files, {files: new Set(mentioned.files), identifiers: new Set(mentioned.identifiers), touched: new Set()})
  return {files: rankedFiles(ranking), pairs: ranking.map(({path, name}) => [path, name])}
}

/** aider's tags ranked by PyAgent's ranking: the same input to both rankings, so any difference is the ranking's. */
async function oursOnAiderTags(aider: AiderRun, mentioned: {files: string[]; identifiers: string[]}): Promise<Ranked> {
  const ranking = await rankDefinitions(aiderTagsAsOurs(aider.tags), {files: new Set(mentioned.files), identifiers: new Set(mentioned.identifiers), touched: new Set()})
  return {files: rankedFiles(ranking), pairs: ranking.map(({path, name}) => [path, name])}
}

function overlap(ours: readonly string[], theirs: readonly string[]): {shared: number; of: number} {
  const top = new Set(ours.slice(0, TOP))
  const reference = theirs.slice(0, TOP)
  return {shared: reference.filter((item) => top.has(item)).length, of: Math.min(TOP, reference.length, Math.max(ours.length, 1))}
}

/** Test files are rarely the definitions a task needs: how many of a top 20 are tests says something neither overlap can. */
const isTest = (path: string) => /(^|\/)(tests?|__tests__)\/|\.test\.|_test\.|(^|\/)test_/.test(path)

const pct = ({shared, of}: {shared: number; of: number}) => `${shared}/${of} (${((100 * shared) / of).toFixed(0)}%)`

function freshCaches(root: string): void {
  rmSync(join(root, '.pyagent'), {recursive: true, force: true})
  for (const entry of readdirSync(root)) if (entry.startsWith('.aider')) rmSync(join(root, entry), {recursive: true, force: true})
}

async function compareOnCorpus(base: string, corpus: Corpus): Promise<Record<string, unknown>> {
  const root = join(base, corpus.name.split(' ')[0]!)
  const paths = gitCorpus(root, corpus.sources)
  const row: Record<string, unknown> = {corpus: corpus.name, files: paths.length}
  for (const [label, task] of [['no task', undefined], ['task', corpus.task]] as const) {
    const mentioned = task ? mentionsIn(task, paths) : {files: [], identifiers: []}
    freshCaches(root)
    const aiderCold = runAider(root, paths, mentioned)
    const aiderWarm = runAider(root, paths, mentioned)
    const oursCold = runOurs(root, task)
    const oursWarm = runOurs(root, task)
    const ours = await oursRanking(root, paths, mentioned)
    const sameTags = await oursOnAiderTags(aiderCold, mentioned)
    const pairsOf = (ranked: Ranked) => ranked.pairs.map((pair) => pair.join(' '))
    row[label] = {
      mentionedFiles: mentioned.files,
      sameTagsTopFiles: overlap(sameTags.files, aiderCold.files),
      sameTagsTopDefinitions: overlap(pairsOf(sameTags), pairsOf(aiderCold)),
      topFiles: overlap(ours.files, aiderCold.files),
      topDefinitions: overlap(pairsOf(ours), pairsOf(aiderCold)),
      testsInTop: {ours: ours.files.slice(0, TOP).filter(isTest).length, aider: aiderCold.files.slice(0, TOP).filter(isTest).length},
      oursTop5: ours.files.slice(0, 5),
      aiderTop5: aiderCold.files.slice(0, 5),
      cold: {ours: oursCold, aider: {buildMs: aiderCold.buildMs, tokens: aiderCold.tokens, wallMs: Math.round(aiderCold.wallMs)}},
      warm: {ours: oursWarm, aider: {buildMs: aiderWarm.buildMs, tokens: aiderWarm.tokens, wallMs: Math.round(aiderWarm.wallMs)}},
    }
    const result = row[label] as Record<'topFiles' | 'topDefinitions' | 'sameTagsTopFiles' | 'sameTagsTopDefinitions', {shared: number; of: number}>
    log(
      `${corpus.name.padEnd(22)} ${label.padEnd(8)} top-${TOP} files ${pct(result.topFiles).padEnd(12)} definitions ${pct(result.topDefinitions).padEnd(12)} ` +
        `(aider's tags: ${pct(result.sameTagsTopFiles)}, ${pct(result.sameTagsTopDefinitions)})  tests in top ${TOP}: ${JSON.stringify(row[label] && (row[label] as {testsInTop: unknown}).testsInTop)}  ` +
        `cold ${oursCold.buildMs} ms vs ${aiderCold.buildMs} ms (${(aiderCold.buildMs / Math.max(1, oursCold.buildMs)).toFixed(1)}x; process ${Math.round(oursCold.wallMs)} vs ${Math.round(aiderCold.wallMs)} ms)  ` +
        `warm ${oursWarm.buildMs} ms vs ${aiderWarm.buildMs} ms`,
    )
  }
  return row
}

/** ~5,000 source files: the corpora again, every crate in the cargo registry, more of node_modules. */
function bigTree(base: string): {root: string; paths: string[]} {
  const root = join(base, 'big')
  const registry = join(homedir(), '.cargo/registry/src')
  const crates = readdirSync(registry).map((index) => join(registry, index))
  const modules = ['zod/src', 'openai/src', '@oclif/core/lib', 'ink/build', 'execa/lib', 'diff/libesm', 'dependency-cruiser/src', 'jscpd', 'esbuild/lib', 'vitest/dist']
  const paths = gitCorpus(root, [
    {from: stdlibDir(), to: 'python', skip: /(^|\/)(site-packages|__pycache__)\//},
    ...crates.map((from, index) => ({from, to: `crates${index}`})),
    ...modules.map((module) => ({from: join(ROOT, 'node_modules', module), to: `js/${module}`})),
  ])
  return {root, paths}
}

/** Runs in a child process of its own, so that its peak memory is the map's alone. */
async function measureBigTree(root: string): Promise<void> {
  const tokens = new TokenCounter('cl100k_base')
  const db = openStateAt(join(root, '.pyagent-bench.db'))
  const time = async () => {
    const started = performance.now()
    const map = await buildRepoMap({root, db, tokens, tokenBudget: TOKENS})
    return {ms: Math.round(performance.now() - started), timings: map.timings, stats: map.stats}
  }
  const cold = await time()
  const heapAfterCold = process.memoryUsage().heapUsed
  const warm = await time()
  const changed = (await workingTree(root).listFiles()).find((path) => path.endsWith('.py'))!
  appendFileSync(join(root, changed), '\ndef added_by_the_bench():\n    pass\n')
  const incremental = await time()
  process.stdout.write(
    `${JSON.stringify({cold, warm, incremental, changed, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), heapAfterColdMb: Math.round(heapAfterCold / 2 ** 20)})}\n`,
  )
  db.close()
  tokens.free()
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {'skip-corpora': {type: 'boolean', default: false}, 'skip-big': {type: 'boolean', default: false}, 'aider-big': {type: 'boolean', default: false}, keep: {type: 'boolean', default: false}, 'big-tree': {type: 'string'}}})
  if (values['big-tree']) return measureBigTree(values['big-tree'])
  if (!existsSync(AIDER_PYTHON)) throw new Error(`${AIDER_PYTHON} is missing: python3 -m venv bench/.venv-aider && bench/.venv-aider/bin/pip install aider-chat==0.86.2`)
  if (!existsSync(join(ROOT, 'dist/commands/map.js'))) throw new Error('dist/ has no map command: run `npm run build` first')

  const base = mkdtempSync(join(tmpdir(), 'pyagent-bench-repomap-'))
  const report: Record<string, unknown> = {tokens: TOKENS}
  try {
    report.corpora = []
    for (const corpus of values['skip-corpora'] ? [] : CORPORA) (report.corpora as unknown[]).push(await compareOnCorpus(base, corpus))
    if (!values['skip-big']) {
      const {root, paths} = bigTree(base)
      log(`big tree: ${paths.length} files in ${root}`)
      const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--big-tree', root], {encoding: 'utf8', cwd: ROOT})
      if (child.status !== 0) throw new Error(`the big-tree run failed: ${child.stderr}`)
      const big = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>
      report.big = {files: paths.length, ...big}
      log(`big tree ours: ${JSON.stringify(big)}`)
      if (values['aider-big']) {
        freshCaches(root)
        const aider = runAider(root, paths, {files: [], identifiers: []})
        report.bigAider = {buildMs: aider.buildMs, wallMs: Math.round(aider.wallMs)}
        log(`big tree aider cold: ${aider.buildMs} ms in-process, ${Math.round(aider.wallMs)} ms process`)
      }
    }
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  } finally {
    if (values.keep) log(`corpora kept in ${base}`)
    else rmSync(base, {recursive: true, force: true})
  }
}

await main()
