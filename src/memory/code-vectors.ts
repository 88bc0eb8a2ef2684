/**
 * Vectors for the code index: each unit without one from the configured model is sent to the
 * embeddings endpoint, a batch at a time, so a later search can rank by meaning as well as by
 * words. Incremental as the index is: a unit cut again is a new unit and gets a new vector.
 */
import {codeIndexCounts, storeVectors, unitsWithoutVector} from '../state/code-index.js'
import type {StateDb} from '../state/db.js'
import type {Embedder} from './code-search.js'
import type {IndexProgress} from './tag-index.js'

/** Units per request: a request well inside what vLLM batches at once. */
const EMBED_BATCH = 32
/** What a unit is embedded as: its place and start; an embeddings model reads a few hundred tokens at best. */
const EMBED_TEXT_CHARS = 2000

export interface EmbedOutcome {
  embedded: number
  /** Why embedding stopped before every unit had a vector; search then ranks by words alone for those. */
  problem?: string
}

export async function embedUnits(db: StateDb, embedder: Embedder, options: {onProgress?: (progress: IndexProgress) => void} = {}): Promise<EmbedOutcome> {
  const {units, vectors} = codeIndexCounts(db, embedder.model)
  const total = units - vectors
  let embedded = 0
  for (;;) {
    const batch = unitsWithoutVector(db, embedder.model, EMBED_BATCH)
    if (batch.length === 0) return {embedded}
    let found: Float32Array[]
    try {
      found = await embedder.embed(batch.map((unit) => `${unit.path} ${unit.kind} ${unit.name}\n${unit.text.slice(0, EMBED_TEXT_CHARS)}`))
    } catch (error) {
      return {embedded, problem: `the embeddings endpoint did not answer (${error instanceof Error ? error.message : String(error)})`}
    }
    storeVectors(db, embedder.model, batch.map((unit, index) => ({unitId: unit.id, vector: found[index]!})))
    embedded += batch.length
    options.onProgress?.({parsed: embedded, total})
  }
}
