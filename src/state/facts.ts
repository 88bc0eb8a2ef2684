/**
 * Typed queries over facts and facts_fts (migration 8): what PyAgent learnt about a repository.
 * A row's `strength` is as of its `last_used_at`; reads that take a `Decay` return it as of
 * `now`, halved for every half-life since (memory/facts.ts says why, and what the policy is).
 */
import type {StateDb} from './db.js'
import {statement} from './statement.js'

/** A fact as stored, its strength as of `last_used_at`; times in ms since the epoch. */
export interface StoredFact {
  kind: string
  text: string
  source: string
  strength: number
  uses: number
  created_at: number
  last_used_at: number
}

/** A fact as read at some moment: `strength` is what is left of it then. */
export interface FactRow extends StoredFact {
  id: number
}

/** The moment a read or write happens, and how fast strength fades. */
export interface Decay {
  now: number
  halfLifeMs: number
}

/** A fact's strength at @now; a last use "after" @now (a clock set back, an import from a machine ahead) counts as now. */
const CURRENT = 'strength * pow(0.5, max(0, @now - last_used_at) / @halfLifeMs)'
const COLUMNS = `id, kind, text, source, ${CURRENT} AS strength, uses, created_at, last_used_at`

const selectByText = statement('SELECT id FROM facts WHERE kind = ? AND text = ?')
const insert = statement(
  `INSERT INTO facts (kind, text, source, strength, uses, created_at, last_used_at)
   VALUES (@kind, @text, @source, @strength, @uses, @created_at, @last_used_at)`,
)
const reinforce = statement(`UPDATE facts SET strength = ${CURRENT} + @boost, uses = uses + 1, last_used_at = max(last_used_at, @now) WHERE id = @id`)
const selectOne = statement(`SELECT ${COLUMNS} FROM facts WHERE id = @id`)
const selectAll = statement(`SELECT ${COLUMNS} FROM facts WHERE @kind IS NULL OR kind = @kind ORDER BY ${CURRENT} DESC, id LIMIT @limit`)
const remove = statement('DELETE FROM facts WHERE id = ?')
const prune = statement(`DELETE FROM facts WHERE ${CURRENT} < @threshold`)
const selectStored = statement('SELECT kind, text, source, strength, uses, created_at, last_used_at FROM facts ORDER BY id')
const countAll = statement('SELECT count(*) AS n FROM facts')
/**
 * bm25() is negative, more so for a better match. The score weighs the match by 1 + log2(1 +
 * strength) / 10: about 1 for a fact fading out, 1.1 for a new one, 1.55 for one used every
 * day for months (strength ~44 with a 30-day half-life). Strength then decides between close
 * matches, but never buries a much better match under a well-worn worse one.
 */
const search = statement(
  `SELECT ${COLUMNS}, relevance, relevance * (1 + log2(1 + ${CURRENT}) / 10) AS score
   FROM (SELECT rowid, -bm25(facts_fts) AS relevance FROM facts_fts WHERE facts_fts MATCH @match) AS matched
   JOIN facts ON facts.id = matched.rowid
   WHERE ${CURRENT} >= @threshold
   ORDER BY score DESC, id LIMIT @limit`,
)
const groups = statement(
  `SELECT kind, source, count(*) AS facts, sum(${CURRENT}) AS strength, sum(${CURRENT} < @threshold) AS weak,
          min(created_at) AS oldest, max(last_used_at) AS latest
   FROM facts GROUP BY kind, source ORDER BY kind, source`,
)
const mergeImported = statement(
  `INSERT INTO facts (kind, text, source, strength, uses, created_at, last_used_at)
   VALUES (@kind, @text, @source, @strength, @uses, @created_at, @last_used_at)
   ON CONFLICT (kind, text) DO UPDATE SET
     strength = CASE WHEN excluded.strength * pow(0.5, max(0, @now - excluded.last_used_at) / @halfLifeMs) > ${CURRENT}
                     THEN excluded.strength ELSE strength END,
     last_used_at = CASE WHEN excluded.strength * pow(0.5, max(0, @now - excluded.last_used_at) / @halfLifeMs) > ${CURRENT}
                         THEN excluded.last_used_at ELSE last_used_at END,
     uses = max(uses, excluded.uses),
     created_at = min(created_at, excluded.created_at)`,
)

export function factIdByText(db: StateDb, kind: string, text: string): number | undefined {
  return (selectByText(db).get(kind, text) as {id: number} | undefined)?.id
}

export function insertFact(db: StateDb, fact: StoredFact): number {
  return Number(insert(db).run(fact).lastInsertRowid)
}

/** Adds `boost` to what is left of the fact's strength at `decay.now`, which becomes its last use. */
export function reinforceFact(db: StateDb, id: number, boost: number, decay: Decay): void {
  reinforce(db).run({id, boost, ...decay})
}

export function factById(db: StateDb, id: number, decay: Decay): FactRow | undefined {
  return selectOne(db).get({id, ...decay}) as FactRow | undefined
}

/** Strongest first. */
export function listFacts(db: StateDb, options: {kind?: string; limit: number}, decay: Decay): FactRow[] {
  return selectAll(db).all({kind: options.kind ?? null, limit: options.limit, ...decay}) as FactRow[]
}

/** Whether there was such a fact. */
export function deleteFact(db: StateDb, id: number): boolean {
  return remove(db).run(id).changes > 0
}

/** Deletes the facts weaker than `threshold` at `decay.now`; returns how many. */
export function pruneFacts(db: StateDb, threshold: number, decay: Decay): number {
  return prune(db).run({threshold, ...decay}).changes
}

export function countFacts(db: StateDb): number {
  return (countAll(db).get() as {n: number}).n
}

/** Every fact as stored (strength as of its last use), oldest first: what a snapshot keeps. */
export function storedFacts(db: StateDb): IterableIterator<StoredFact> {
  return selectStored(db).iterate() as IterableIterator<StoredFact>
}

export interface FactMatch extends FactRow {
  /** How well the text matches (BM25, positive, higher is better). */
  relevance: number
  /** The relevance weighed by strength: what the results are ordered by. */
  score: number
}

/** Facts at least `threshold` strong matching the FTS5 query `match`, best first. */
export function searchFacts(db: StateDb, match: string, options: {limit: number; threshold: number}, decay: Decay): FactMatch[] {
  return search(db).all({match, ...options, ...decay}) as FactMatch[]
}

export interface FactGroup {
  kind: string
  source: string
  facts: number
  /** Summed over the group, at `now`. */
  strength: number
  /** How many are under the threshold at `now`: the next prune removes them. */
  weak: number
  oldest: number
  latest: number
}

export function factGroups(db: StateDb, threshold: number, decay: Decay): FactGroup[] {
  return groups(db).all({threshold, ...decay}) as FactGroup[]
}

/**
 * Stores a fact from a snapshot. One already known keeps whichever of the two is stronger at
 * `decay.now`, the earlier creation and the larger use count; returns whether it was new.
 */
export function mergeFact(db: StateDb, fact: StoredFact, decay: Decay): boolean {
  const known = factIdByText(db, fact.kind, fact.text) !== undefined
  mergeImported(db).run({...fact, ...decay})
  return !known
}
