/**
 * Code search (src/memory/code-search.ts) on two code bases nobody here wrote, as installed in
 * node_modules: execa 9 (lib/, ~100 JavaScript files, plus its .d.ts types) and
 * dependency-cruiser 17 (src/, ~190 .mjs files). Each question is asked as a person would ask it
 * and names the file(s) that answer it. Per method: recall@5 (the share of a question's answer
 * files among the first five distinct files ranked) and MRR (1 / the rank of the first answer
 * file), averaged over the questions. Methods: BM25 over the units' words; vectors and the two
 * fused (reciprocal rank fusion) when an embeddings endpoint is given; and, as the baseline,
 * ripgrep on the question's words, files ranked by how many matches they hold.
 *
 * Then indexing a tree of 5,000 source files (cargo registry crates and node_modules sources,
 * copied into a fresh git repository): cold, again with nothing changed, and after one file
 * changed, with the process's peak RSS (measured in a child process of its own).
 *
 * Run: npx tsx bench/retrieval.ts [--embeddings http://host:8000/v1 [--embeddings-model NAME]] [--skip-big]
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

import {connectEmbeddings, type EmbeddingsClient} from '../src/llm/embeddings.js'
import {indexCode} from '../src/memory/code-index.js'
import {searchCode} from '../src/memory/code-search.js'
import {embedUnits} from '../src/memory/code-vectors.js'
import {openStateAt, type StateDb} from '../src/state/db.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const TOP = 5
const BIG_TREE_FILES = 5000
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs|jsx|py|rs|go|java|c|h|cc|cpp|hpp)$/

interface Question {
  question: string
  answers: string[]
}

interface Corpus {
  name: string
  module: string
  questions: Question[]
}

const CORPORA: Corpus[] = [
  {
    name: 'execa 9.6',
    module: 'execa',
    questions: [
      {question: 'kill the subprocess when it runs longer than the timeout', answers: ['lib/terminate/timeout.js']},
      {question: 'send SIGKILL after a delay when the process ignores SIGTERM', answers: ['lib/terminate/kill.js']},
      {question: 'kill the child processes when the parent process exits', answers: ['lib/terminate/cleanup.js']},
      {question: 'fail when the output is larger than the maximum buffer size', answers: ['lib/io/max-buffer.js']},
      {question: 'escape control characters when the command is printed', answers: ['lib/arguments/escape.js']},
      {question: 'better error message when the working directory does not exist', answers: ['lib/arguments/cwd.js']},
      {question: 'how long the command took in milliseconds', answers: ['lib/return/duration.js']},
      {question: 'remove the final newline at the end of stdout', answers: ['lib/io/strip-newline.js']},
      {question: 'split the output into lines in a generator', answers: ['lib/transform/split.js']},
      {question: 'accept a file URL instead of a path as the command', answers: ['lib/arguments/file-url.js']},
      {question: 'stop the subprocess when an AbortSignal is aborted', answers: ['lib/terminate/cancel.js']},
      {question: 'turn a template string literal into the command and its arguments', answers: ['lib/methods/template.js']},
      {question: 'graceful cancellation sent to the subprocess over IPC', answers: ['lib/ipc/graceful.js']},
      {question: 'format verbose log lines with a timestamp and an icon', answers: ['lib/verbose/default.js']},
      {question: 'run the command inside a shell', answers: ['lib/arguments/shell.js']},
      {question: 'build the error message of a failed command', answers: ['lib/return/message.js']},
      {question: 'run a Node.js script with the current node executable', answers: ['lib/methods/node.js']},
      {question: 'decode binary output chunks with a text encoding', answers: ['lib/transform/encoding-transform.js']},
      {question: 'stop piping when the unpipe signal aborts', answers: ['lib/pipe/abort.js']},
    ],
  },
  {
    name: 'dependency-cruiser 17.4',
    module: 'dependency-cruiser',
    questions: [
      {question: 'detect circular dependencies between modules', answers: ['src/analyze/derive/circular.mjs']},
      {question: 'is a module an orphan without dependencies or dependents', answers: ['src/analyze/derive/orphan/is-orphan.mjs']},
      {question: 'which modules can be reached from a module', answers: ['src/analyze/derive/reachable.mjs']},
      {question: 'find the files whose content changed since the cached run', answers: ['src/cache/find-content-changes.mjs', 'src/cache/content-strategy.mjs']},
      {question: 'use the git revision to decide whether the cache is still valid', answers: ['src/cache/metadata-strategy.mjs']},
      {question: 'anonymize the paths in a report with words from a word list', answers: ['src/report/anon/anonymize-path-element.mjs', 'src/report/anon/anonymize-path.mjs']},
      {question: 'is a module name one of node built in modules', answers: ['src/extract/resolve/is-built-in.mjs']},
      {question: "merge an extended configuration's forbidden rules into the base one", answers: ['src/config-utl/extract-depcruise-config/merge-configs.mjs']},
      {question: 'read tsconfig.json with the typescript compiler', answers: ['src/config-utl/extract-ts-config.mjs']},
      {question: 'turn windows paths into posix paths', answers: ['src/utl/path-to-posix.mjs']},
      {question: 'compute the instability metric of each module', answers: ['src/analyze/derive/metrics/get-module-metrics.mjs']},
      {question: 'escape strings for TeamCity service messages', answers: ['src/report/teamcity.mjs']},
      {question: 'count file extensions to guess the languages of a project', answers: ['src/cli/init-config/find-extensions.mjs']},
      {question: 'find the require calls in CommonJS code', answers: ['src/extract/acorn/extract-cjs-deps.mjs']},
      {question: 'output the dependency graph as a CSV matrix', answers: ['src/report/csv.mjs']},
      {question: 'wrap long lines and indent them', answers: ['src/utl/wrap-and-indent.mjs']},
      {question: 'ignore violations listed in the known violations baseline', answers: ['src/analyze/soften-known-violations.mjs']},
      {question: 'sort violations by severity', answers: ['src/graph-utl/compare.mjs']},
    ],
  },
]

/** Words left out of the ripgrep baseline's patterns: each would match nearly every line. */
const RG_STOP_WORDS = new Set('a an and as at be by for from in into is it of on or the to when with which one its than each there'.split(' '))

const log = (line: string) => process.stderr.write(`${line}\n`)

type Method = 'bm25' | 'vectors' | 'fused' | 'rg'

interface Score {
  recallAt5: number
  mrr: number
}

/** The files of a ranking of units (or files), each once, in the order first ranked. */
function distinctFiles(paths: readonly string[]): string[] {
  return [...new Set(paths)]
}

function score(ranked: readonly string[], answers: readonly string[]): Score {
  const top = ranked.slice(0, TOP)
  const first = ranked.findIndex((path) => answers.includes(path))
  return {recallAt5: answers.filter((answer) => top.includes(answer)).length / answers.length, mrr: first < 0 ? 0 : 1 / (first + 1)}
}

function ripgrepRanking(root: string, question: string): string[] {
  const words = (question.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((word) => word.length > 2 && !RG_STOP_WORDS.has(word))
  const args = ['--count-matches', '--ignore-case', '--no-messages', '--glob', '*.{js,mjs,cjs,ts,mts,cts}', ...words.flatMap((word) => ['-e', word]), '.']
  const run = spawnSync('rg', args, {cwd: root, encoding: 'utf8'})
  return run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const at = line.lastIndexOf(':')
      return {path: line.slice(0, at).replace(/^\.\//, ''), count: Number(line.slice(at + 1))}
    })
    .sort((a, b) => b.count - a.count || a.path.localeCompare(b.path))
    .map(({path}) => path)
}

/** The package's files, without its own node_modules/, in a directory of their own. */
function copyCorpus(base: string, module: string): string {
  const root = join(base, module)
  cpSync(join(ROOT, 'node_modules', module), root, {recursive: true, filter: (source) => !source.includes(`${module}/node_modules`)})
  return root
}

async function rankings(db: StateDb, root: string, question: string, embedder: EmbeddingsClient | undefined): Promise<Partial<Record<Method, string[]>>> {
  const files = async (only?: 'bm25' | 'vectors') =>
    distinctFiles((await searchCode(db, question, {limit: 200, embedder, only})).hits.map((hit) => hit.path))
  const ranked: Partial<Record<Method, string[]>> = {bm25: await files('bm25'), rg: ripgrepRanking(root, question)}
  if (embedder) {
    ranked.vectors = await files('vectors')
    ranked.fused = await files()
  }
  return ranked
}

async function measureCorpus(base: string, corpus: Corpus, embedder: EmbeddingsClient | undefined) {
  const root = copyCorpus(base, corpus.module)
  const db = openStateAt(join(base, `${corpus.module}.db`))
  try {
    const started = performance.now()
    const stats = await indexCode(root, db)
    const indexMs = Math.round(performance.now() - started)
    const units = (db.prepare('SELECT count(*) AS n FROM code_units').get() as {n: number}).n
    const embedded = embedder ? await embedUnits(db, embedder) : undefined
    if (embedded?.problem) throw new Error(embedded.problem)
    const totals: Partial<Record<Method, Score>> = {}
    const misses: Record<string, string[]> = {}
    for (const {question, answers} of corpus.questions) {
      for (const [method, ranked] of Object.entries(await rankings(db, root, question, embedder)) as [Method, string[]][]) {
        const got = score(ranked, answers)
        const total = (totals[method] ??= {recallAt5: 0, mrr: 0})
        total.recallAt5 += got.recallAt5 / corpus.questions.length
        total.mrr += got.mrr / corpus.questions.length
        if (got.recallAt5 === 0) (misses[method] ??= []).push(question)
      }
    }
    const rounded = Object.fromEntries(Object.entries(totals).map(([method, {recallAt5, mrr}]) => [method, {recallAt5: +recallAt5.toFixed(3), mrr: +mrr.toFixed(3)}]))
    const row = {corpus: corpus.name, questions: corpus.questions.length, files: stats.files, units, skipped: stats.skipped.length, indexMs, scores: rounded, missedAt5: misses}
    log(JSON.stringify(row))
    return row
  } finally {
    db.close()
  }
}

function sourceFiles(dir: string, into: string[], limit: number): void {
  if (into.length >= limit || !existsSync(dir)) return
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    if (into.length >= limit) return
    const path = join(dir, entry.name)
    if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) sourceFiles(path, into, limit)
    else if (entry.isFile() && SOURCE.test(entry.name)) into.push(path)
  }
}

/** BIG_TREE_FILES source files from the cargo registry's crates and node_modules, in a fresh git repository. */
function bigTree(base: string): string {
  const root = join(base, 'big')
  const found: string[] = []
  const registry = join(homedir(), '.cargo/registry/src')
  for (const index of existsSync(registry) ? readdirSync(registry) : []) sourceFiles(join(registry, index), found, BIG_TREE_FILES / 2)
  sourceFiles(join(ROOT, 'node_modules'), found, BIG_TREE_FILES)
  for (const [index, from] of found.entries()) {
    const to = join(root, `f${Math.floor(index / 500)}`, relative('/', from))
    mkdirSync(dirname(to), {recursive: true})
    cpSync(from, to)
  }
  execFileSync('git', ['init', '-q'], {cwd: root})
  execFileSync('git', ['add', '-A'], {cwd: root})
  return root
}

/** In a child process of its own, so that its peak RSS is the index's alone. */
async function measureBigTree(root: string): Promise<void> {
  const db = openStateAt(join(root, '..', 'big.db'))
  const time = async () => {
    const started = performance.now()
    const stats = await indexCode(root, db)
    return {ms: Math.round(performance.now() - started), files: stats.files, cut: stats.cut, unchanged: stats.unchanged, skipped: stats.skipped.length}
  }
  const cold = await time()
  const unchanged = await time()
  const changed = execFileSync('git', ['ls-files'], {cwd: root, encoding: 'utf8'}).split('\n').find((path) => path.endsWith('.rs'))!
  appendFileSync(join(root, changed), '\nfn added_by_the_bench() {}\n')
  const oneChanged = await time()
  const units = (db.prepare('SELECT count(*) AS n FROM code_units').get() as {n: number}).n
  process.stdout.write(`${JSON.stringify({cold, unchanged, oneChanged, changed, units, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024)})}\n`)
  db.close()
}

async function main(): Promise<void> {
  const {values} = parseArgs({
    options: {embeddings: {type: 'string'}, 'embeddings-model': {type: 'string'}, 'skip-big': {type: 'boolean', default: false}, 'big-tree': {type: 'string'}},
  })
  if (values['big-tree']) return measureBigTree(values['big-tree'])
  const embedder = values.embeddings
    ? await connectEmbeddings({url: values.embeddings, model: values['embeddings-model'], apiKey: process.env.PYAGENT_API_KEY || 'EMPTY', timeoutMs: 120_000})
    : undefined
  if (!embedder) log('No --embeddings endpoint: BM25 and the rg baseline only.')
  const base = mkdtempSync(join(tmpdir(), 'pyagent-bench-retrieval-'))
  try {
    const report: Record<string, unknown> = {embeddings: embedder?.model ?? null, corpora: []}
    for (const corpus of CORPORA) (report.corpora as unknown[]).push(await measureCorpus(base, corpus, embedder))
    if (!values['skip-big']) {
      const root = bigTree(base)
      const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--big-tree', root], {encoding: 'utf8', cwd: ROOT})
      if (child.status !== 0) throw new Error(`the big-tree run failed: ${child.stderr}`)
      report.big = JSON.parse(child.stdout.trim().split('\n').at(-1)!)
      log(`big tree: ${JSON.stringify(report.big)}`)
    }
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  } finally {
    rmSync(base, {recursive: true, force: true})
  }
}

await main()
