/**
 * Typed queries over the code index (migration 9): per file its content hash and the version of
 * the cutter, per unit its place and text, the unit's words in code_units_fts (BM25), and its
 * vector per embeddings model. Keyed by path, unlike the map's tags: a hit is a place to open.
 */
import type {StateDb} from './db.js'
import {statement} from './statement.js'

export interface IndexedFile {
  hash: string
  version: number
}

export interface StoredUnit {
  name: string
  kind: string
  startLine: number
  endLine: number
  text: string
  /** The words FTS5 indexes per column, identifiers already split. */
  words: {name: string; path: string; body: string}
}

export interface FileUnits {
  path: string
  hash: string
  version: number
  /** Why the file has no units (binary, minified, unparsable), or null. */
  skipped: string | null
  units: readonly StoredUnit[]
}

export interface UnitRow {
  id: number
  path: string
  name: string
  kind: string
  startLine: number
  endLine: number
  text: string
}

const UNIT_COLUMNS =
  'code_units.id AS id, code_units.path AS path, code_units.name AS name, kind, start_line AS startLine, end_line AS endLine, text'

const selectFiles = statement('SELECT path, hash, version FROM code_files')
const selectSkipped = statement('SELECT path, skipped FROM code_files WHERE skipped IS NOT NULL ORDER BY path')
const deleteUnitsOf = statement('DELETE FROM code_units WHERE path = ?')
const upsertFile = statement(`
  INSERT INTO code_files (path, hash, version, skipped) VALUES (@path, @hash, @version, @skipped)
  ON CONFLICT (path) DO UPDATE SET hash = excluded.hash, version = excluded.version, skipped = excluded.skipped
`)
const insertUnit = statement(
  'INSERT INTO code_units (path, name, kind, start_line, end_line, text) VALUES (@path, @name, @kind, @startLine, @endLine, @text)',
)
const insertWords = statement('INSERT INTO code_units_fts (rowid, name, path, body) VALUES (?, ?, ?, ?)')
const deleteFile = statement('DELETE FROM code_files WHERE path = ?')
/** bm25() is negative, more so for a better match; a word in a name counts most, then in the path. */
const matchWords = statement(
  `SELECT ${UNIT_COLUMNS}, -bm25(code_units_fts, 8.0, 3.0, 1.0) AS relevance
   FROM code_units_fts JOIN code_units ON code_units.id = code_units_fts.rowid
   WHERE code_units_fts MATCH ? ORDER BY relevance DESC`,
)
const counts = statement(
  `SELECT (SELECT count(*) FROM code_files) AS files, (SELECT count(*) FROM code_units) AS units,
          (SELECT count(*) FROM code_unit_vectors WHERE model = ?) AS vectors`,
)
const selectUnembedded = statement(
  `SELECT ${UNIT_COLUMNS} FROM code_units
   WHERE NOT EXISTS (SELECT 1 FROM code_unit_vectors WHERE unit_id = code_units.id AND model = @model)
   ORDER BY id LIMIT @limit`,
)
const upsertVector = statement('INSERT OR REPLACE INTO code_unit_vectors (unit_id, model, vector) VALUES (?, ?, ?)')
/** vec_distance_cosine is sqlite-vec's (state/vectors.ts loads it). */
const nearest = statement(
  `SELECT ${UNIT_COLUMNS}, vec_distance_cosine(vector, @query) AS distance
   FROM code_unit_vectors JOIN code_units ON code_units.id = code_unit_vectors.unit_id
   WHERE model = @model ORDER BY distance`,
)

/** What the index holds per path: the content hash and cutter version it was made from. */
export function indexedFiles(db: StateDb): Map<string, IndexedFile> {
  const rows = selectFiles(db).all() as ({path: string} & IndexedFile)[]
  return new Map(rows.map(({path, hash, version}) => [path, {hash, version}]))
}

export function skippedFiles(db: StateDb): {path: string; skipped: string}[] {
  return selectSkipped(db).all() as {path: string; skipped: string}[]
}

/** Replaces the units of each file (and their words and vectors) in one transaction. */
export function storeFileUnits(db: StateDb, files: readonly FileUnits[]): void {
  db.transaction(() => {
    for (const {units, ...file} of files) {
      deleteUnitsOf(db).run(file.path)
      upsertFile(db).run(file)
      for (const {words, ...unit} of units) {
        const id = insertUnit(db).run({path: file.path, ...unit}).lastInsertRowid
        insertWords(db).run(id, words.name, words.path, words.body)
      }
    }
  })()
}

/** Forgets files (deleted, renamed, now too large): their units, words and vectors go with them. */
export function dropFiles(db: StateDb, paths: readonly string[]): void {
  db.transaction(() => {
    for (const path of paths) {
      deleteUnitsOf(db).run(path)
      deleteFile(db).run(path)
    }
  })()
}

/** Units matching the FTS5 query `match`, best first (relevance: BM25, positive), read lazily so the caller can stop early. */
export function unitsMatching(db: StateDb, match: string): IterableIterator<UnitRow & {relevance: number}> {
  return matchWords(db).iterate(match) as IterableIterator<UnitRow & {relevance: number}>
}

export function codeIndexCounts(db: StateDb, model: string | null): {files: number; units: number; vectors: number} {
  return counts(db).get(model) as {files: number; units: number; vectors: number}
}

/** Up to `limit` units that have no vector from `model` yet, oldest first. */
export function unitsWithoutVector(db: StateDb, model: string, limit: number): UnitRow[] {
  return selectUnembedded(db).all({model, limit}) as UnitRow[]
}

export function storeVectors(db: StateDb, model: string, vectors: readonly {unitId: number; vector: Float32Array}[]): void {
  db.transaction(() => {
    for (const {unitId, vector} of vectors) upsertVector(db).run(unitId, model, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength))
  })()
}

/** Units by cosine distance of their `model` vector to `query`, nearest first, read lazily. Needs sqlite-vec loaded. */
export function unitsNearest(db: StateDb, model: string, query: Float32Array): IterableIterator<UnitRow & {distance: number}> {
  const bytes = Buffer.from(query.buffer, query.byteOffset, query.byteLength)
  return nearest(db).iterate({model, query: bytes}) as IterableIterator<UnitRow & {distance: number}>
}
