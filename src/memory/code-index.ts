/**
 * The code index (semantic memory): every function, method and class of the repository, cut by
 * tree-sitter, with its words in FTS5. Incremental: a file is cut again only when its content
 * hash (or the cutter's version) changed, and files no longer in the tree leave the index.
 * The files are the repository map's (git's listing, the same size cap, the same skips).
 */
import {setImmediate as nextTurn} from 'node:timers/promises'

import {blake3, type CodeUnit, codeUnitsVersion, decodeCodeUnits, extractCodeUnits, type TagsLanguage, type TagsSkip, tagsLanguageForPath} from '../native.js'
import {dropFiles, type FileUnits, indexedFiles, skippedFiles, storeFileUnits, type StoredUnit} from '../state/code-index.js'
import type {StateDb} from '../state/db.js'
import {inParallelBatches} from './batches.js'
import {codeWords} from './code-words.js'
import {listSourceFiles} from './repo-map.js'
import {type IndexProgress, readSource, type UnreadReason} from './tag-index.js'

/** Files hashed between two turns of the event loop. */
const HASH_BATCH = 512

export type CodeSkipReason = TagsSkip | UnreadReason

export interface CodeIndexStats {
  /** Files in a language the index covers. */
  files: number
  /** Files whose content the index already had. */
  unchanged: number
  /** Files cut into units in this run. */
  cut: number
  /** Files that left the index: deleted, or now unreadable or too large. */
  dropped: number
  /** Files without units, each with why (`tooLarge`: over 1 MB, never read). */
  skipped: {path: string; reason: CodeSkipReason}[]
}

interface Candidate {
  path: string
  language: TagsLanguage
}

function storedUnit(path: string, unit: CodeUnit): StoredUnit {
  return {...unit, words: {name: codeWords(unit.name), path: codeWords(path), body: codeWords(unit.text)}}
}

export interface CodeIndexOptions {
  onProgress?: (progress: IndexProgress) => void
  /** Files the index may hold (the workspace's deny rules): a refused file is never read, and leaves the index if it was in it. */
  visible?: (path: string) => boolean
}

/** Brings the index of `root` up to date with its files; reports what it did. */
export async function indexCode(root: string, db: StateDb, options: CodeIndexOptions = {}): Promise<CodeIndexStats> {
  const version = codeUnitsVersion()
  const known = indexedFiles(db)
  const candidates: Candidate[] = []
  const listed = await listSourceFiles(root)
  for (const path of (options.visible ? listed.filter(options.visible) : listed).sort()) {
    const language = tagsLanguageForPath(path)
    if (language) candidates.push({path, language})
  }
  const stats: CodeIndexStats = {files: candidates.length, unchanged: 0, cut: 0, dropped: 0, skipped: []}
  const present = new Set<string>()
  const changed: Candidate[] = []
  for (const [index, candidate] of candidates.entries()) {
    if (index % HASH_BATCH === HASH_BATCH - 1) await nextTurn()
    const source = readSource(root, candidate.path)
    if (!Buffer.isBuffer(source)) {
      stats.skipped.push({path: candidate.path, reason: source})
      continue
    }
    present.add(candidate.path)
    const indexed = known.get(candidate.path)
    if (indexed && indexed.hash === blake3(source) && indexed.version === version) stats.unchanged += 1
    else changed.push(candidate)
  }

  const cutBatch = async (batch: readonly Candidate[]) => {
    const read: {candidate: Candidate; source: Buffer}[] = []
    for (const candidate of batch) {
      // Read again rather than kept from the first pass, so a cold index never holds the whole tree.
      const source = readSource(root, candidate.path)
      if (Buffer.isBuffer(source)) read.push({candidate, source})
      else present.delete(candidate.path)
    }
    const extractions = await extractCodeUnits(read.map(({candidate, source}) => ({source, language: candidate.language})))
    const files = extractions.map(({hash, units, skipped}, index): FileUnits => {
      const {path} = read[index]!.candidate
      return {path, hash, version, skipped, units: units === null ? [] : decodeCodeUnits(units).map((unit) => storedUnit(path, unit))}
    })
    storeFileUnits(db, files)
    stats.cut += files.length
  }
  await inParallelBatches(changed, cutBatch, (parsed) => options.onProgress?.({parsed, total: changed.length}))

  const gone = [...known.keys()].filter((path) => !present.has(path))
  dropFiles(db, gone)
  stats.dropped = gone.length
  for (const {path, skipped} of skippedFiles(db)) stats.skipped.push({path, reason: skipped as TagsSkip})
  stats.skipped.sort((a, b) => a.path.localeCompare(b.path))
  return stats
}
