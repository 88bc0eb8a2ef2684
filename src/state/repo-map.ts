/**
 * Typed queries over repo_map_tags (migration 7): the repository map's tags per file content
 * (blake3) and language, as the native module encoded them, or why the file has none. Keyed by
 * content, not path: a file renamed, or back as it was after a branch switch, is not parsed again.
 */
import type {StateDb} from './db.js'
import {statement} from './statement.js'

export interface CachedTagsRow {
  hash: string
  language: string
  /** The native tags version that made them; another version's tags are stale. */
  version: number
  /** The native module's encoding; null when the file was skipped. */
  tags: string | null
  skipped: string | null
}

const selectTags = statement('SELECT hash, language, version, tags, skipped FROM repo_map_tags WHERE hash = ? AND language = ?')
const upsertTags = statement(`
  INSERT INTO repo_map_tags (hash, language, version, tags, skipped) VALUES (@hash, @language, @version, @tags, @skipped)
  ON CONFLICT (hash, language) DO UPDATE SET version = excluded.version, tags = excluded.tags, skipped = excluded.skipped
`)
const deleteOthers = statement('DELETE FROM repo_map_tags WHERE hash NOT IN (SELECT value FROM json_each(?))')

export function cachedTags(db: StateDb, hash: string, language: string): CachedTagsRow | undefined {
  return selectTags(db).get(hash, language) as CachedTagsRow | undefined
}

/** Stores a batch of newly extracted tags in one transaction. */
export function storeTags(db: StateDb, rows: readonly CachedTagsRow[]): void {
  const upsert = upsertTags(db)
  db.transaction(() => {
    for (const row of rows) upsert.run(row)
  })()
}

/** Forgets the tags of every content but `hashes` (the files the tree has now), so the cache stays the size of the tree. */
export function keepOnlyTags(db: StateDb, hashes: readonly string[]): number {
  return deleteOthers(db).run(JSON.stringify(hashes)).changes
}
