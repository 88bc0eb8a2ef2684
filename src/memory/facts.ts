/**
 * Learned facts: what PyAgent finds out about a repository (how its tests run, which files are
 * generated, how long things take) and keeps for later tasks. A fact is as strong as its uses,
 * each worth 1 and each fading by half every half-life, so a fact the agents keep using stays
 * and one nobody uses fades under the threshold and is pruned. Stating a fact again is a use of
 * it, not a second fact. Text is redacted before it is stored: facts go back into prompts.
 */
import type {Config} from '../config/schema.js'
import {PyAgentError} from '../errors.js'
import {redactText} from '../secrets/redact.js'
import type {StateDb} from '../state/db.js'
import {
  countFacts,
  deleteFact,
  type Decay,
  factById,
  factGroups,
  factIdByText,
  type FactRow,
  insertFact,
  listFacts as listFactRows,
  pruneFacts,
  reinforceFact,
} from '../state/facts.js'

export const FACT_KINDS = ['note', 'test-command', 'generated-path', 'duration'] as const
export type FactKind = (typeof FACT_KINDS)[number]

/** Who taught it: the agent's remember tool, a task's outcome, or a person (`pyagent memory add`). */
export const FACT_SOURCES = ['agent', 'outcome', 'user'] as const
export type FactSource = (typeof FACT_SOURCES)[number]

/** A fact is a sentence or two; a longer text is a document, and would crowd the prompts it goes into. */
export const MAX_FACT_CHARS = 2000

const DAY_MS = 86_400_000

export interface MemorySettings {
  halfLifeDays: number
  /** Facts weaker than this are pruned (a new fact is 1). */
  pruneBelow: number
  /** Values redaction leaves alone (config redactAllow). */
  redactAllow: readonly string[]
  /** The clock, in ms since the epoch: simulated time in the decay tests. */
  now?: () => number
}

export function memorySettings(config: Pick<Config, 'memoryHalfLifeDays' | 'memoryPruneBelow' | 'redactAllow'>): MemorySettings {
  return {halfLifeDays: config.memoryHalfLifeDays, pruneBelow: config.memoryPruneBelow, redactAllow: config.redactAllow}
}

export function decayAt(settings: MemorySettings): Decay {
  return {now: (settings.now ?? Date.now)(), halfLifeMs: settings.halfLifeDays * DAY_MS}
}

/** A fact as read now. Its kind and source are strings: a newer PyAgent may have stored kinds this one does not know. */
export interface Fact {
  id: number
  kind: string
  text: string
  source: string
  /** 1 per use, each halved for every half-life since it. */
  strength: number
  uses: number
  createdAt: string
  lastUsedAt: string
}

export function toFact(row: FactRow): Fact {
  return {
    id: row.id,
    kind: row.kind,
    text: row.text,
    source: row.source,
    strength: row.strength,
    uses: row.uses,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: new Date(row.last_used_at).toISOString(),
  }
}

export class MemoryError extends PyAgentError {
  override name = 'MemoryError'
  constructor(message: string) {
    super('E_MEMORY_INVALID', message)
  }
}

export interface Learnt {
  fact: Fact
  /** It was known already, and this use reinforced it. */
  merged: boolean
  /** Redaction masked part of the text. */
  masked: boolean
}

/**
 * Stores a fact, or reinforces the same fact (same kind, same text once redacted) already
 * stored; facts that have faded under the threshold go in the same transaction.
 */
export async function learnFact(db: StateDb, input: {text: string; kind: FactKind; source: FactSource}, settings: MemorySettings): Promise<Learnt> {
  const given = input.text.trim()
  if (given === '') throw new MemoryError('A fact needs some text; nothing was stored.')
  if (given.length > MAX_FACT_CHARS) {
    throw new MemoryError(`A fact is at most ${MAX_FACT_CHARS} characters (this one has ${given.length}); store its gist, and point to the file that holds the rest.`)
  }
  const text = await redactText(given, {allow: settings.redactAllow})
  const decay = decayAt(settings)
  return db.transaction(() => {
    const known = factIdByText(db, input.kind, text)
    const id = known ?? insertFact(db, {kind: input.kind, text, source: input.source, strength: 1, uses: 1, created_at: decay.now, last_used_at: decay.now})
    if (known !== undefined) reinforceFact(db, known, 1, decay)
    pruneFacts(db, settings.pruneBelow, decay)
    return {fact: toFact(factById(db, id, decay)!), merged: known !== undefined, masked: text !== given}
  })()
}

/** What a task's outcome taught (a test command that worked, how long a step took); the loop records it. */
export function recordOutcome(db: StateDb, outcome: {kind: FactKind; text: string}, settings: MemorySettings): Promise<Learnt> {
  return learnFact(db, {...outcome, source: 'outcome'}, settings)
}

/**
 * Reinforces facts that were retrieved and then used (they went into a prompt whose task made
 * use of them); looking them up alone is no use. Ids no longer stored are skipped.
 */
export function markUsed(db: StateDb, ids: readonly number[], settings: MemorySettings): void {
  const decay = decayAt(settings)
  db.transaction(() => {
    for (const id of ids) reinforceFact(db, id, 1, decay)
  })()
}

/** Strongest first. */
export function listFacts(db: StateDb, options: {kind?: string; limit: number}, settings: MemorySettings): Fact[] {
  return listFactRows(db, options, decayAt(settings)).map(toFact)
}

/** Removes the fact; undefined when no fact has that id. */
export function forgetFact(db: StateDb, id: number, settings: MemorySettings): Fact | undefined {
  return db.transaction(() => {
    const row = factById(db, id, decayAt(settings))
    if (row) deleteFact(db, id)
    return row && toFact(row)
  })()
}

/** Deletes the facts that have faded under the threshold. */
export function pruneWeakFacts(db: StateDb, settings: MemorySettings): {pruned: number; remaining: number} {
  return db.transaction(() => ({pruned: pruneFacts(db, settings.pruneBelow, decayAt(settings)), remaining: countFacts(db)}))()
}

export interface MemoryStats {
  facts: number
  /** Under the threshold now: the next prune (or the next fact learnt) removes them. */
  weak: number
  byKind: Record<string, number>
  bySource: Record<string, number>
  meanStrength: number
  oldest: string | null
  lastUsed: string | null
  halfLifeDays: number
  pruneBelow: number
}

export function memoryStats(db: StateDb, settings: MemorySettings): MemoryStats {
  const groups = factGroups(db, settings.pruneBelow, decayAt(settings))
  const tally = (key: 'kind' | 'source') => {
    const counts: Record<string, number> = {}
    for (const group of groups) counts[group[key]] = (counts[group[key]] ?? 0) + group.facts
    return counts
  }
  const facts = groups.reduce((sum, group) => sum + group.facts, 0)
  const strength = groups.reduce((sum, group) => sum + group.strength, 0)
  const iso = (ms: number) => (groups.length === 0 ? null : new Date(ms).toISOString())
  return {
    facts,
    weak: groups.reduce((sum, group) => sum + group.weak, 0),
    byKind: tally('kind'),
    bySource: tally('source'),
    meanStrength: facts === 0 ? 0 : strength / facts,
    oldest: iso(Math.min(...groups.map((group) => group.oldest))),
    lastUsed: iso(Math.max(...groups.map((group) => group.latest))),
    halfLifeDays: settings.halfLifeDays,
    pruneBelow: settings.pruneBelow,
  }
}
