/**
 * The tags of every source file in a repository, each file parsed only when its content is new:
 * tags are cached in the state database by the content's blake3 (and the tags version), so after
 * the first map only changed files cost a parse.
 */
import {lstatSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {setImmediate as nextTurn} from 'node:timers/promises'

import {blake3, extractTags, type TagsLanguage, type TagsSkip, tagsLanguageForPath, tagsVersion} from '../native.js'
import type {StateDb} from '../state/db.js'
import {type CachedTagsRow, cachedTags, keepOnlyTags, storeTags} from '../state/repo-map.js'
import {inParallelBatches} from './batches.js'

/** Larger files are generated or data far more often than code a person reads; they are skipped unread. */
export const MAX_TAGGED_FILE_BYTES = 1024 * 1024

/** Files hashed between two turns: a hash costs a small fraction of a parse. */
const HASH_BATCH = 512

/**
 * The bytes of files to parse kept from the pass that hashed them, up to this much in all: read
 * once, a cold index is that much faster, and past it a large tree is read again file by file
 * rather than held in memory whole.
 */
const KEPT_SOURCE_BYTES = 64 * 1024 * 1024

export interface IndexStats {
  /** Files in a language the map covers. */
  files: number
  /** Files whose tags came from the cache. */
  cached: number
  /** Files parsed in this build. */
  parsed: number
  /** Files without tags, by reason (`tooLarge`: over MAX_TAGGED_FILE_BYTES; `unreadable`: listed but gone or not a regular file). */
  skipped: Record<TagsSkip | 'tooLarge' | 'unreadable', number>
}

export interface TagIndex {
  /** Files with tags (as extractTags encoded them: decoded only for the few files a map shows), by repository-relative path, in path order. */
  files: Map<string, string>
  stats: IndexStats
}

export interface IndexProgress {
  /** Files parsed so far, of `total` whose content the cache did not know. */
  parsed: number
  total: number
}

interface Candidate {
  path: string
  language: TagsLanguage
}

/** A file to parse, with its bytes when the hashing pass kept them. */
interface Miss {
  candidate: Candidate
  source?: Buffer
}

interface Outcome {
  row: CachedTagsRow
  fromCache: boolean
}

/** Why a listed file is not read: over MAX_TAGGED_FILE_BYTES, or gone or not a regular file. */
export type UnreadReason = 'tooLarge' | 'unreadable'

/** A file's bytes, or why they are not read. The size is checked before reading: a 50 MB file costs a stat. */
export function readSource(root: string, path: string): Buffer | UnreadReason {
  try {
    // lstat: a symbolic link may point outside the repository, and its target is listed on its own if it is inside.
    const stat = lstatSync(join(root, path))
    if (stat.isFile() && stat.size <= MAX_TAGGED_FILE_BYTES) return readFileSync(join(root, path))
    if (stat.isFile()) return 'tooLarge'
  } catch {
    // Listed by git but deleted since, or unreadable.
  }
  return 'unreadable'
}

/** A file's bytes, or undefined with the reason counted in `stats`. */
function readCounted(root: string, path: string, stats: IndexStats): Buffer | undefined {
  const source = readSource(root, path)
  if (Buffer.isBuffer(source)) return source
  stats.skipped[source] += 1
  return undefined
}

/** Tags of `paths` (repository-relative), from the cache where the content is known, parsed otherwise. */
export async function indexTags(
  root: string,
  paths: readonly string[],
  options: {db?: StateDb; onProgress?: (progress: IndexProgress) => void} = {},
): Promise<TagIndex> {
  const {db, onProgress} = options
  const version = tagsVersion()
  const stats: IndexStats = {files: 0, cached: 0, parsed: 0, skipped: {binary: 0, minified: 0, unparsable: 0, tooLarge: 0, unreadable: 0}}
  const candidates: Candidate[] = []
  for (const path of [...paths].sort()) {
    const language = tagsLanguageForPath(path)
    if (language) candidates.push({path, language})
  }
  stats.files = candidates.length

  // First pass: hash every file and take what the cache has; the second parses the rest, so
  // that progress can be told against the number of files that really need a parse.
  const outcomes = new Map<string, Outcome>()
  const misses: Miss[] = []
  let keptBytes = 0
  for (const [index, candidate] of candidates.entries()) {
    if (index % HASH_BATCH === HASH_BATCH - 1) await nextTurn()
    const source = readCounted(root, candidate.path, stats)
    if (!source) continue
    const row = db ? cachedTags(db, blake3(source), candidate.language) : undefined
    if (row && row.version === version) {
      outcomes.set(candidate.path, {row, fromCache: true})
    } else if (keptBytes + source.length <= KEPT_SOURCE_BYTES) {
      keptBytes += source.length
      misses.push({candidate, source})
    } else {
      misses.push({candidate})
    }
  }

  const parseBatch = async (batch: readonly Miss[]) => {
    const read: {candidate: Candidate; source: Buffer}[] = []
    for (const miss of batch) {
      const source = miss.source ?? readCounted(root, miss.candidate.path, stats)
      // Let go of the kept bytes as soon as they are handed over, so memory falls as parsing goes.
      miss.source = undefined
      if (source) read.push({candidate: miss.candidate, source})
    }
    const extractions = await extractTags(read.map(({candidate, source}) => ({source, language: candidate.language})))
    const rows = extractions.map(({hash, tags, skipped}, index): CachedTagsRow => ({hash, language: read[index]!.candidate.language, version, tags, skipped}))
    for (const [index, row] of rows.entries()) outcomes.set(read[index]!.candidate.path, {row, fromCache: false})
    if (db) storeTags(db, rows)
  }
  await inParallelBatches(misses, parseBatch, (parsed) => onProgress?.({parsed, total: misses.length}))
  if (db) keepOnlyTags(db, [...new Set([...outcomes.values()].map(({row}) => row.hash))])

  const files = new Map<string, string>()
  for (const {path} of candidates) {
    const outcome = outcomes.get(path)
    if (!outcome) continue
    if (outcome.fromCache) stats.cached += 1
    else stats.parsed += 1
    const {tags, skipped} = outcome.row
    if (tags !== null) files.set(path, tags)
    else stats.skipped[skipped as TagsSkip] += 1
  }
  return {files, stats}
}
