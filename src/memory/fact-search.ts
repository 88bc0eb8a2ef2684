/**
 * Finding the facts that bear on a text (a task, a question): SQLite FTS5 over the facts'
 * words, ranked by BM25 and weighed by each fact's strength. Facts that have faded under the
 * threshold are left out even before a prune removes them.
 */
import type {StateDb} from '../state/db.js'
import {searchFacts} from '../state/facts.js'
import {decayAt, type Fact, type MemorySettings, toFact} from './facts.js'
import {anyWordQuery} from './query-words.js'

export interface RelevantFact extends Fact {
  /** How well the text matches the query (BM25; higher is better). */
  relevance: number
  /** The relevance weighed by the fact's strength: the order of the results. */
  score: number
}

/** The query's words as an FTS5 query that matches any of them. */
function ftsQuery(text: string): string | undefined {
  return anyWordQuery(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
}

/** The facts most relevant to `query`, best first, with their scores; none when it has no words. */
export function relevantFacts(db: StateDb, query: string, options: {limit: number}, settings: MemorySettings): RelevantFact[] {
  const match = ftsQuery(query)
  if (match === undefined) return []
  return searchFacts(db, match, {limit: options.limit, threshold: settings.pruneBelow}, decayAt(settings)).map((row) => ({
    ...toFact(row),
    relevance: row.relevance,
    score: row.score,
  }))
}
