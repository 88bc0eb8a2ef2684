/**
 * Vectors for the code index: each unit without one from the configured model is sent to the
 * embeddings endpoint, a batch at a time, so a later search can rank by meaning as well as by
 * words. Incremental as the index is: a unit cut again is a new unit and gets a new vector.
 *
 * A unit is embedded as its place and its head: the doc comment above it, its signature and the
 * first lines of its body. That is where a unit says in words what it does; the rest of a long
 * body adds tokens (the cost of indexing) more than meaning, and a small embeddings model reads
 * only its first few hundred tokens anyway.
 */
import {codeIndexCounts, storeVectors, type UnitRow, unitsWithoutVector} from '../state/code-index.js'
import type {StateDb} from '../state/db.js'
import type {IndexProgress} from './tag-index.js'

/** An embeddings endpoint, as the app wires it (llm/embeddings.ts): told whether it embeds questions or the code they are asked of. */
export interface Embedder {
  readonly model: string
  embed(texts: readonly string[], input: 'query' | 'passage'): Promise<Float32Array[]>
}

/** Units per request: a request well inside what vLLM batches at once. */
const EMBED_BATCH = 32
/** The head of a unit that is embedded: its first lines, and at most this many characters of them. */
const EMBED_HEAD_LINES = 12
const EMBED_HEAD_CHARS = 1200
/**
 * Bumped whenever what a unit is embedded as changes: vectors are stored under the model's name
 * and this recipe, so vectors made another way are never compared with new ones (and are made again).
 */
const EMBED_RECIPE = 2

/** The name a model's vectors are stored under: the model and the recipe of the embedded text. */
export function vectorModelKey(model: string): string {
  return `${model}#${EMBED_RECIPE}`
}

/** What a unit is embedded as: its place, kind and name, then its head. */
export function embeddedText(unit: Pick<UnitRow, 'path' | 'kind' | 'name' | 'text'>): string {
  const head = unit.text.split('\n', EMBED_HEAD_LINES).join('\n').slice(0, EMBED_HEAD_CHARS)
  return `${unit.path} ${unit.kind} ${unit.name}\n${head}`
}

export interface EmbedOutcome {
  embedded: number
  /** Why embedding stopped before every unit had a vector; search then ranks by words alone for those. */
  problem?: string
}

export async function embedUnits(db: StateDb, embedder: Embedder, options: {onProgress?: (progress: IndexProgress) => void} = {}): Promise<EmbedOutcome> {
  const model = vectorModelKey(embedder.model)
  const {units, vectors} = codeIndexCounts(db, model)
  const total = units - vectors
  let embedded = 0
  for (;;) {
    const batch = unitsWithoutVector(db, model, EMBED_BATCH)
    if (batch.length === 0) return {embedded}
    let found: Float32Array[]
    try {
      found = await embedder.embed(batch.map(embeddedText), 'passage')
    } catch (error) {
      return {embedded, problem: `the embeddings endpoint did not answer (${error instanceof Error ? error.message : String(error)})`}
    }
    storeVectors(db, model, batch.map((unit, index) => ({unitId: unit.id, vector: found[index]!})))
    embedded += batch.length
    options.onProgress?.({parsed: embedded, total})
  }
}
