/**
 * `pyagent memory …`, wired once: the repository's state database opened for the one job and
 * closed again, the memory's settings taken from the repository's config. Reading where PyAgent
 * never ran answers from an empty memory, and forgetting or pruning there says so, rather than
 * creating .pyagent/ to find nothing in it.
 */
import {existsSync} from 'node:fs'

import type {Config} from '../config/schema.js'
import {relevantFacts, type RelevantFact} from '../memory/fact-search.js'
import {type Fact, type FactKind, forgetFact, learnFact, type Learnt, listFacts, memorySettings, type MemoryStats, memoryStats, pruneWeakFacts} from '../memory/facts.js'
import {type Exported, exportSnapshot, type Imported, importSnapshot} from '../memory/snapshot.js'
import {openState, openStateAt, openStateForReading, type StateDb} from '../state/db.js'
import {stateDbPath} from '../state/paths.js'
import {LookupError} from '../workspace/errors.js'

async function reading<T>(root: string, job: (db: StateDb) => T | Promise<T>): Promise<T> {
  // Where PyAgent never ran, an empty database in memory answers as an empty memory would.
  const db = openStateForReading(root) ?? openStateAt(':memory:')
  try {
    return await job(db)
  } finally {
    db.close()
  }
}

async function writing<T>(root: string, job: (db: StateDb) => T | Promise<T>): Promise<T> {
  const db = openState(root)
  try {
    return await job(db)
  } finally {
    db.close()
  }
}

/** Strongest first. */
export function listMemory(root: string, config: Config, options: {kind?: FactKind; limit: number}): Promise<Fact[]> {
  return reading(root, (db) => listFacts(db, options, memorySettings(config)))
}

export function searchMemory(root: string, config: Config, query: string, options: {limit: number}): Promise<RelevantFact[]> {
  return reading(root, (db) => relevantFacts(db, query, options, memorySettings(config)))
}

export function memoryStatsOf(root: string, config: Config): Promise<MemoryStats> {
  return reading(root, (db) => memoryStats(db, memorySettings(config)))
}

/** A fact a person states: stored like the agent's, redacted, merged with an exact repeat. */
export function addToMemory(root: string, config: Config, fact: {text: string; kind: FactKind}): Promise<Learnt> {
  return writing(root, (db) => learnFact(db, {...fact, source: 'user'}, memorySettings(config)))
}

export async function forgetInMemory(root: string, config: Config, id: number): Promise<Fact> {
  const missing = () => new LookupError(`No fact has id ${id} in ${root}; \`pyagent memory list\` shows the facts and their ids.`)
  if (!existsSync(stateDbPath(root))) throw missing()
  const forgotten = await writing(root, (db) => forgetFact(db, id, memorySettings(config)))
  if (!forgotten) throw missing()
  return forgotten
}

export async function pruneMemory(root: string, config: Config): Promise<{pruned: number; remaining: number}> {
  if (!existsSync(stateDbPath(root))) return {pruned: 0, remaining: 0}
  return writing(root, (db) => pruneWeakFacts(db, memorySettings(config)))
}

export function exportMemory(root: string, file: string): Promise<Exported> {
  return reading(root, (db) => exportSnapshot(db, file))
}

export function importMemory(root: string, config: Config, file: string): Promise<Imported> {
  return writing(root, (db) => importSnapshot(db, file, memorySettings(config)))
}
