/**
 * Finding the facts that bear on a text (a task, a question): SQLite FTS5 over the facts'
 * words, ranked by BM25 and weighed by each fact's strength. Facts that have faded under the
 * threshold are left out even before a prune removes them.
 */
import type {StateDb} from '../state/db.js'
import {searchFacts} from '../state/facts.js'
import {decayAt, type Fact, type MemorySettings, toFact} from './facts.js'

export interface RelevantFact extends Fact {
  /** How well the text matches the query (BM25; higher is better). */
  relevance: number
  /** The relevance weighed by the fact's strength: the order of the results. */
  score: number
}

/** A long task text makes a long OR query; its first words say most of what it is about. */
const MAX_QUERY_WORDS = 64

/**
 * Words that say nothing of what a text is about. BM25 gives them little weight, but a fact
 * sharing only "the" with the task would still be found, and put in a prompt for nothing.
 */
const STOP_WORDS = new Set(
  'a an and are as at be but by can do does for from has have how i if in into is it its me my no not of on or our so than that the their then there these this to was we what when where which who why will with you your'.split(' '),
)

/**
 * The query's words as an FTS5 query that matches any of them. Each word is quoted, so that
 * nothing a person or a model types is read as FTS5 syntax (AND, NEAR, a column filter, `*`).
 */
function ftsQuery(text: string): string | undefined {
  const words = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].filter((word) => !STOP_WORDS.has(word)).slice(0, MAX_QUERY_WORDS)
  return words.length === 0 ? undefined : words.map((word) => `"${word}"`).join(' OR ')
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
