/**
 * sqlite-vec, loaded into a state database on demand: the code index compares vectors with its
 * functions. Only vector search needs it, so a machine where it cannot load keeps the rest.
 */
import {load} from 'sqlite-vec'

import type {StateDb} from './db.js'

const loaded = new WeakSet<StateDb>()

/** Loads sqlite-vec into `db` once; returns why it cannot be loaded, or undefined when it is. */
export function loadVectorSearch(db: StateDb): string | undefined {
  if (loaded.has(db)) return undefined
  try {
    load(db)
  } catch (error) {
    return `sqlite-vec cannot be loaded (${error instanceof Error ? error.message : String(error)})`
  }
  loaded.add(db)
  return undefined
}
