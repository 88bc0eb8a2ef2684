/**
 * Which repository map points a question at the file that answers it: ours (src/memory) or
 * aider's RepoMap (aider-chat 0.86.2), on questions that each name their answer file(s): the
 * retrieval bench's 37 over execa 9.6 and dependency-cruiser 17.4 (bench/retrieval/questions.ts),
 * and 12 over zod's sources and 15 over Python's standard library (bench/repomap/questions.ts).
 * bench/repomap.ts measures how far the two maps agree; this measures which is more useful.
 *
 * Each corpus is copied into a fresh git repository; both maps rank all its files, personalised
 * the same way per question: the question's mentioned files and identifiers as PyAgent's
 * mentionsIn finds them, no chat files. Scored on the ranked file list (each file at the rank of
 * its best definition): recall@20 (the share of a question's answer files in the first 20) and
 * MRR (1 / the rank of the first answer file, 0 when unranked), averaged over the questions; and
 * the median rank of the first answer file, which MRR hardly sees once it is past the first ten.
 *
 * Rankings: `ours`; `aider`; `ours on aider's tags` (aider's tags, our ranking: the two rankings
 * agree on 90-100% of the top 20 given the same tags, so this isolates the tags); and, to tell
 * which half of the tags matters, our ranking on our definitions with aider's references and on
 * aider's definitions with our references.
 *
 * Needs aider in a git-ignored venv (no build: it runs from the sources):
 *   python3 -m venv bench/.venv-aider && bench/.venv-aider/bin/pip install aider-chat==0.86.2
 * Run: npx tsx bench/map-quality.ts [--corpus NAME] [--keep]
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

import {type Mentions, mentionsIn} from '../src/memory/mentions.js'
import {rankDefinitions} from '../src/memory/rank.js'
import {indexTags} from '../src/memory/tag-index.js'
import {decodeTags, type FileTags} from '../src/native.js'
import {type AiderTags, aiderTagsAsOurs, type CorpusSource, encodeTags, gitCorpus, rankedFiles, STDLIB_SKIP, stdlibDir} from './repomap/corpus.js'
import {STDLIB_QUESTIONS, ZOD_QUESTIONS} from './repomap/questions.js'
import {CORPORA as RETRIEVAL_CORPORA, type Question} from './retrieval/questions.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const AIDER_PYTHON = join(ROOT, 'bench/.venv-aider/bin/python')
const AIDER_SCRIPT = join(ROOT, 'bench/repomap/aider_rank.py')
const TOP = 20

const log = (line: string) => process.stderr.write(`${line}\n`)

interface QualityCorpus {
  name: string
  sources: CorpusSource[]
  questions: Question[]
}

const CORPORA: QualityCorpus[] = [
  ...RETRIEVAL_CORPORA.map(({name, module, questions}) => ({
    name,
    sources: [{from: join(ROOT, 'node_modules', module), to: '', skip: /(^|\/)node_modules\//}],
    questions,
  })),
  {name: 'zod 4', sources: [{from: join(ROOT, 'node_modules/zod/src'), to: 'src'}], questions: ZOD_QUESTIONS},
  {name: 'Python stdlib', sources: [{from: stdlibDir(), to: 'lib', skip: STDLIB_SKIP}], questions: STDLIB_QUESTIONS},
]

const METHODS = ['ours', 'aider', 'oursOnAiderTags', 'ourDefsAiderRefs', 'aiderDefsOurRefs'] as const
type Method = (typeof METHODS)[number]

interface Score {
  recallAt20: number
  mrr: number
}

function score(ranked: readonly string[], answers: readonly string[]): Score & {ranks: (number | null)[]} {
  const ranks = answers.map((answer) => {
    const at = ranked.indexOf(answer)
    return at < 0 ? null : at + 1
  })
  const found = ranks.filter((rank): rank is number => rank !== null)
  return {
    recallAt20: found.filter((rank) => rank <= TOP).length / answers.length,
    mrr: found.length === 0 ? 0 : 1 / Math.min(...found),
    ranks,
  }
}

function aiderRankings(root: string, files: readonly string[], mentions: readonly Mentions[]): {tags: AiderTags; rankings: string[][]; ms: number} {
  const request = JSON.stringify({root, files, questions: mentions.map(({files, identifiers}) => ({mentionedFiles: files, mentionedIdents: identifiers}))})
  const started = performance.now()
  // aider orders tied ranks as its sets iterate, which Python's string hashing varies from run to
  // run: pinned, so that a rerun ranks the same (other seeds move its files past the first ten).
  const env = {...process.env, PYTHONHASHSEED: '0'}
  const run = spawnSync(AIDER_PYTHON, [AIDER_SCRIPT], {input: request, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env})
  const ms = Math.round(performance.now() - started)
  if (run.status !== 0) throw new Error(`aider failed on ${root}: ${run.stderr}`)
  return {...(JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {tags: AiderTags; rankings: string[][]}), ms}
}

/** One file set's definitions with the other's references, for every file either has tags for. */
function mixTags(definitionsFrom: ReadonlyMap<string, string>, referencesFrom: ReadonlyMap<string, string>): Map<string, string> {
  const decoded = (files: ReadonlyMap<string, string>, path: string): FileTags | undefined => {
    const encoded = files.get(path)
    return encoded === undefined ? undefined : decodeTags(encoded)
  }
  const mixed = new Map<string, string>()
  for (const path of [...new Set([...definitionsFrom.keys(), ...referencesFrom.keys()])].sort()) {
    mixed.set(path, encodeTags({definitions: decoded(definitionsFrom, path)?.definitions ?? [], references: decoded(referencesFrom, path)?.references ?? []}))
  }
  return mixed
}

const round = (value: number) => +value.toFixed(3)

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

async function measureCorpus(base: string, corpus: QualityCorpus) {
  const root = join(base, corpus.name.replace(/\W+/g, '-'))
  const paths = gitCorpus(root, corpus.sources)
  for (const {answers} of corpus.questions) {
    for (const answer of answers) if (!paths.includes(answer)) throw new Error(`${corpus.name}: the answer ${answer} is not in the corpus`)
  }
  const mentions = corpus.questions.map(({question}) => mentionsIn(question, paths))
  const aider = aiderRankings(root, paths, mentions)
  const ours = (await indexTags(root, paths)).files
  const aiderAsOurs = aiderTagsAsOurs(aider.tags)
  const tagSets: Record<Exclude<Method, 'aider'>, ReadonlyMap<string, string>> = {
    ours,
    oursOnAiderTags: aiderAsOurs,
    ourDefsAiderRefs: mixTags(ours, aiderAsOurs),
    aiderDefsOurRefs: mixTags(aiderAsOurs, ours),
  }

  const totals = Object.fromEntries(METHODS.map((method) => [method, {recallAt20: 0, mrr: 0}])) as Record<Method, Score>
  const firstRanks = Object.fromEntries(METHODS.map((method) => [method, [] as number[]])) as Record<Method, number[]>
  const differing: unknown[] = []
  for (const [number, {question, answers}] of corpus.questions.entries()) {
    const focus = {files: new Set(mentions[number]!.files), identifiers: new Set(mentions[number]!.identifiers), touched: new Set<string>()}
    const ranked: Record<Method, string[]> = {
      aider: aider.rankings[number]!,
      ...(Object.fromEntries(await Promise.all(Object.entries(tagSets).map(async ([method, files]) => [method, rankedFiles(await rankDefinitions(files, focus))]))) as Record<Exclude<Method, 'aider'>, string[]>),
    }
    const scores = Object.fromEntries(METHODS.map((method) => [method, score(ranked[method], answers)])) as Record<Method, ReturnType<typeof score>>
    for (const method of METHODS) {
      totals[method].recallAt20 += scores[method].recallAt20 / corpus.questions.length
      totals[method].mrr += scores[method].mrr / corpus.questions.length
      // An answer file neither map ranks (no definition anyone uses) counts as last.
      firstRanks[method].push(scores[method].mrr === 0 ? ranked[method].length + 1 : Math.round(1 / scores[method].mrr))
    }
    if (scores.ours.mrr !== scores.aider.mrr) {
      differing.push({
        question,
        answers,
        ranks: Object.fromEntries(METHODS.map((method) => [method, scores[method].ranks])),
        oursTop3: ranked.ours.slice(0, 3),
        aiderTop3: ranked.aider.slice(0, 3),
      })
    }
  }
  const row = {
    corpus: corpus.name,
    files: paths.length,
    questions: corpus.questions.length,
    aiderMs: aider.ms,
    scores: Object.fromEntries(
      METHODS.map((method) => [method, {recallAt20: round(totals[method].recallAt20), mrr: round(totals[method].mrr), medianFirstRank: median(firstRanks[method])}]),
    ),
    differing,
  }
  log(`${corpus.name.padEnd(24)} ${METHODS.map((method) => `${method} R@20 ${row.scores[method]!.recallAt20} MRR ${row.scores[method]!.mrr} median ${row.scores[method]!.medianFirstRank}`).join(' | ')}`)
  return row
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {corpus: {type: 'string'}, keep: {type: 'boolean', default: false}}})
  if (!existsSync(AIDER_PYTHON)) throw new Error(`${AIDER_PYTHON} is missing: python3 -m venv bench/.venv-aider && bench/.venv-aider/bin/pip install aider-chat==0.86.2`)
  const chosen = CORPORA.filter(({name}) => !values.corpus || name.toLowerCase().includes(values.corpus.toLowerCase()))
  if (chosen.length === 0) throw new Error(`no corpus matches --corpus ${values.corpus}; the corpora: ${CORPORA.map(({name}) => name).join(', ')}`)
  const base = mkdtempSync(join(tmpdir(), 'pyagent-bench-map-quality-'))
  try {
    const corpora = []
    for (const corpus of chosen) corpora.push(await measureCorpus(base, corpus))
    process.stdout.write(`${JSON.stringify({top: TOP, corpora}, null, 2)}\n`)
  } finally {
    if (values.keep) log(`corpora kept in ${base}`)
    else rmSync(base, {recursive: true, force: true})
  }
}

await main()
