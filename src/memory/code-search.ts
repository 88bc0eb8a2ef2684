/**
 * Finding the code that answers a question: BM25 over the units' words, and, when an embeddings
 * endpoint answers, the units nearest the question's vector, the two rankings fused by
 * reciprocal rank fusion (each unit scores 1/(60 + rank) in each list it is in). Fusion needs
 * no calibration between BM25 scores and cosine distances, which share no scale.
 */
import {type UnitRow, unitsMatching, unitsNearest} from '../state/code-index.js'
import type {StateDb} from '../state/db.js'
import {loadVectorSearch} from '../state/vectors.js'
import {type Embedder, vectorModelKey} from './code-vectors.js'
import {queryWords} from './code-words.js'
import {anyWordQuery} from './query-words.js'

/**
 * The damping constant of reciprocal rank fusion, as Cormack et al. (2009) set it. A smaller k
 * and weighted rankings were tried on the retrieval bench and gained nothing on the questions
 * held out from the trial (BENCHMARKS.md, code search).
 */
const RRF_K = 60
/** How deep each ranking is read before fusing: well past the few results shown. */
const FUSION_DEPTH = 50

export type RetrievalMethod = 'bm25' | 'vectors' | 'fused'

export interface CodeHit extends Omit<UnitRow, 'id'> {
  /** Higher is better; BM25 relevance, cosine similarity or the fused score, per `method`. */
  score: number
}

export interface CodeSearchResult {
  method: RetrievalMethod
  /** Why vectors were not used though an embedder was given (BM25 answered alone), if so. */
  vectorsUnavailable?: string
  hits: CodeHit[]
}

export interface CodeSearchOptions {
  limit: number
  /** Paths a hit may come from (the workspace's deny rules); others are passed over, never returned. */
  admit?: (path: string) => boolean
  embedder?: Embedder
  /** Only this ranking, for comparing methods (the bench); the default fuses whatever is available. */
  only?: 'bm25' | 'vectors'
}

type Ranked = {unit: UnitRow; score: number}

function firstAdmitted<T extends UnitRow>(rows: Iterable<T>, depth: number, admit: (path: string) => boolean, score: (row: T) => number): Ranked[] {
  const ranked: Ranked[] = []
  for (const row of rows) {
    if (!admit(row.path)) continue
    ranked.push({unit: row, score: score(row)})
    if (ranked.length >= depth) break
  }
  return ranked
}

function bm25Ranking(db: StateDb, query: string, depth: number, admit: (path: string) => boolean): Ranked[] {
  const match = anyWordQuery(queryWords(query))
  return match === undefined ? [] : firstAdmitted(unitsMatching(db, match), depth, admit, (row) => row.relevance)
}

/** The units nearest the query's vector, or why there are none to compare (sqlite-vec missing, the endpoint failing). */
async function vectorRanking(db: StateDb, query: string, embedder: Embedder, depth: number, admit: (path: string) => boolean): Promise<Ranked[] | string> {
  const problem = loadVectorSearch(db)
  if (problem) return problem
  let vector: Float32Array
  try {
    ;[vector] = (await embedder.embed([query], 'query')) as [Float32Array]
  } catch (error) {
    return `the embeddings endpoint did not answer (${error instanceof Error ? error.message : String(error)})`
  }
  return firstAdmitted(unitsNearest(db, vectorModelKey(embedder.model), vector), depth, admit, (row) => 1 - row.distance)
}

/** Reciprocal rank fusion of rankings: best first. */
function fuseRankings(rankings: readonly Ranked[][]): Ranked[] {
  const fused = new Map<number, Ranked>()
  for (const ranking of rankings) {
    for (const [rank, {unit}] of ranking.entries()) {
      const entry = fused.get(unit.id) ?? {unit, score: 0}
      entry.score += 1 / (RRF_K + rank + 1)
      fused.set(unit.id, entry)
    }
  }
  return [...fused.values()].sort((a, b) => b.score - a.score || a.unit.id - b.unit.id)
}

function hits(ranking: readonly Ranked[], limit: number): CodeHit[] {
  return ranking.slice(0, limit).map(({unit: {id: _id, ...unit}, score}) => ({...unit, score}))
}

/** The units that best answer `query`, best first. */
export async function searchCode(db: StateDb, query: string, options: CodeSearchOptions): Promise<CodeSearchResult> {
  const {limit, embedder, only} = options
  const admit = options.admit ?? (() => true)
  const depth = Math.max(limit, FUSION_DEPTH)
  const lexical = only === 'vectors' ? [] : bm25Ranking(db, query, depth, admit)
  if (!embedder || only === 'bm25') return {method: 'bm25', hits: hits(lexical, limit)}
  const semantic = await vectorRanking(db, query, embedder, depth, admit)
  if (typeof semantic === 'string') return {method: 'bm25', vectorsUnavailable: semantic, hits: hits(lexical, limit)}
  if (only === 'vectors') return {method: 'vectors', hits: hits(semantic, limit)}
  return {method: 'fused', hits: hits(fuseRankings([lexical, semantic]), limit)}
}
