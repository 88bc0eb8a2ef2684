/**
 * Memory snapshots: a repository's learned facts in one file, to carry to another clone or
 * machine, or to keep. The file is three text lines and then the shards:
 *
 *   PYAGENT-MEMORY-SNAPSHOT
 *   {"version":1,"created":…,"shards":[{"kind":"facts","records":…,"bytes":…,"blake3":…},…]}
 *   <blake3 of the manifest line>
 *   <shard><shard>…            msgpack arrays of at most SHARD_RECORDS facts each
 *
 * Every byte is accounted for: the first line by its text, the manifest by the hash under it,
 * each shard by its length and hash in the manifest, and the file's length by their sum. So a
 * truncated, altered or mixed-up file is refused before any of it is decoded, and a snapshot is
 * imported whole, in one transaction, or not at all. Shards keep each decode and its validation
 * small, and say where a file broke.
 */
import {readFileSync} from 'node:fs'
import {Packr, Unpackr} from 'msgpackr'
import writeFileAtomic from 'write-file-atomic'
import {z} from 'zod'

import {type ErrorCode, PyAgentError} from '../errors.js'
import {blake3} from '../native.js'
import {redactText} from '../secrets/redact.js'
import type {StateDb} from '../state/db.js'
import {mergeFact, pruneFacts, type StoredFact, storedFacts} from '../state/facts.js'
import {decayAt, FACT_KINDS, FACT_SOURCES, MAX_FACT_CHARS, type MemorySettings} from './facts.js'

const MAGIC = 'PYAGENT-MEMORY-SNAPSHOT'

/** The snapshot's layout and record shape; a PyAgent refuses versions above its own. */
const SNAPSHOT_VERSION = 1

const SHARD_RECORDS = 1000

/** Plain MessagePack (no msgpackr record extension), so that any MessagePack reader can read a shard. */
const packr = new Packr({useRecords: false})
const unpackr = new Unpackr({useRecords: false})

export class SnapshotError extends PyAgentError {
  override name = 'SnapshotError'
  constructor(code: Extract<ErrorCode, `E_SNAPSHOT_${string}`>, message: string, options?: ErrorOptions) {
    super(code, message, options)
  }
}

const versionSchema = z.object({version: z.int().positive()})

const manifestSchema = z.strictObject({
  version: z.literal(SNAPSHOT_VERSION),
  created: z.iso.datetime(),
  shards: z.array(
    z.strictObject({
      kind: z.literal('facts'),
      records: z.int().min(1).max(SHARD_RECORDS),
      bytes: z.int().positive(),
      blake3: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
})

type Manifest = z.infer<typeof manifestSchema>

/** Redaction's masks can be longer than what they hide; four times the limit is past anything masking a fact yields. */
const factRecord = z.strictObject({
  kind: z.enum(FACT_KINDS),
  text: z.string().min(1).max(4 * MAX_FACT_CHARS),
  source: z.enum(FACT_SOURCES),
  strength: z.number().positive().finite(),
  uses: z.int().positive(),
  createdAt: z.int().nonnegative(),
  lastUsedAt: z.int().nonnegative(),
})

type FactRecord = z.infer<typeof factRecord>

const toRecord = (fact: StoredFact): FactRecord => ({
  kind: fact.kind as FactRecord['kind'],
  text: fact.text,
  source: fact.source as FactRecord['source'],
  strength: fact.strength,
  uses: fact.uses,
  createdAt: fact.created_at,
  lastUsedAt: fact.last_used_at,
})

export interface Exported {
  file: string
  facts: number
  shards: number
  bytes: number
}

/**
 * Writes every stored fact to `file`, atomically: a temporary file beside it, flushed, then
 * renamed over it, so that `file` is never a half-written snapshot.
 */
export async function exportSnapshot(db: StateDb, file: string): Promise<Exported> {
  const shards: Buffer[] = []
  let batch: FactRecord[] = []
  let facts = 0
  for (const fact of storedFacts(db)) {
    batch.push(toRecord(fact))
    facts++
    if (batch.length === SHARD_RECORDS) {
      shards.push(packr.pack(batch))
      batch = []
    }
  }
  if (batch.length > 0) shards.push(packr.pack(batch))
  const manifest: Manifest = {
    version: SNAPSHOT_VERSION,
    created: new Date().toISOString(),
    shards: shards.map((shard, index) => ({
      kind: 'facts' as const,
      records: index < shards.length - 1 ? SHARD_RECORDS : facts - SHARD_RECORDS * (shards.length - 1),
      bytes: shard.length,
      blake3: blake3(shard),
    })),
  }
  const manifestLine = JSON.stringify(manifest)
  const bytes = Buffer.concat([Buffer.from(`${MAGIC}\n${manifestLine}\n${blake3(manifestLine)}\n`), ...shards])
  try {
    await writeFileAtomic(file, bytes)
  } catch (error) {
    throw new SnapshotError('E_SNAPSHOT_IO', `Could not write the snapshot ${file} (${(error as Error).message}); nothing was written there. Check that its folder exists and can be written.`, {cause: error})
  }
  return {file, facts, shards: shards.length, bytes: bytes.length}
}

/** The file's lines up to the shards, each without its newline, and where the shards start. */
function frame(bytes: Buffer, file: string): {lines: string[]; body: number} {
  const lines: string[] = []
  let start = 0
  for (let line = 0; line < 3; line++) {
    const end = bytes.indexOf(0x0a, start)
    if (end < 0) throw corrupt(file, line === 0 ? 'it is not a PyAgent memory snapshot' : 'it ends inside its header')
    lines.push(bytes.toString('utf8', start, end))
    start = end + 1
    if (line === 0 && lines[0] !== MAGIC) throw corrupt(file, `it is not a PyAgent memory snapshot (its first line is not ${MAGIC})`)
  }
  return {lines, body: start}
}

function corrupt(file: string, what: string, options?: ErrorOptions): SnapshotError {
  return new SnapshotError('E_SNAPSHOT_CORRUPT', `Cannot import ${file}: ${what}. Nothing was imported; export the snapshot again from where it came from.`, options)
}

function readManifest(manifestLine: string, hash: string, file: string): Manifest {
  if (blake3(manifestLine) !== hash) throw corrupt(file, 'its manifest does not match the blake3 hash under it (the file was altered or damaged)')
  let json: unknown
  try {
    json = JSON.parse(manifestLine)
  } catch (error) {
    throw corrupt(file, 'its manifest is not JSON', {cause: error})
  }
  const version = versionSchema.safeParse(json)
  if (version.success && version.data.version > SNAPSHOT_VERSION) {
    throw new SnapshotError(
      'E_SNAPSHOT_NEWER',
      `Cannot import ${file}: a newer PyAgent wrote it (snapshot version ${version.data.version}; this one reads up to ${SNAPSHOT_VERSION}). Nothing was imported; upgrade PyAgent to import it.`,
    )
  }
  const manifest = manifestSchema.safeParse(json)
  if (!manifest.success) throw corrupt(file, `its manifest is not one this PyAgent wrote (${z.prettifyError(manifest.error)})`)
  return manifest.data
}

/** Every record of the file, each checked: the shards' bytes against the manifest, then each record's shape. */
function readRecords(bytes: Buffer, file: string): FactRecord[] {
  const {lines, body} = frame(bytes, file)
  const manifest = readManifest(lines[1]!, lines[2]!, file)
  const expected = body + manifest.shards.reduce((sum, shard) => sum + shard.bytes, 0)
  if (bytes.length < expected) throw corrupt(file, `it is truncated: ${bytes.length} bytes where the manifest accounts for ${expected}`)
  if (bytes.length > expected) throw corrupt(file, `it has ${bytes.length - expected} bytes past its last shard`)
  const records: FactRecord[] = []
  let offset = body
  for (const [index, shard] of manifest.shards.entries()) {
    const where = `shard ${index + 1} of ${manifest.shards.length}`
    const data = bytes.subarray(offset, offset + shard.bytes)
    offset += shard.bytes
    if (blake3(data) !== shard.blake3) throw corrupt(file, `${where} does not match its blake3 hash in the manifest (the file was altered or damaged)`)
    let decoded: unknown
    try {
      decoded = unpackr.unpack(data)
    } catch (error) {
      throw corrupt(file, `${where} is not MessagePack (${(error as Error).message})`, {cause: error})
    }
    const parsed = z.array(factRecord).length(shard.records).safeParse(decoded)
    if (!parsed.success) throw corrupt(file, `${where} does not hold the ${shard.records} facts its manifest lists (${z.prettifyError(parsed.error)})`)
    records.push(...parsed.data)
  }
  return records
}

export interface Imported {
  file: string
  /** Facts in the snapshot. */
  facts: number
  /** Facts that were not stored here yet. */
  added: number
  /** Facts stored here already: each keeps the stronger of the two. */
  merged: number
  /** Facts (imported or not) that had faded under the threshold, and were removed. */
  pruned: number
}

/**
 * Adds the snapshot's facts to the database, or refuses the whole file: every shard is checked
 * and every record validated (and its text redacted, under this repository's rules) before the
 * one transaction that stores them.
 */
export async function importSnapshot(db: StateDb, file: string, settings: MemorySettings): Promise<Imported> {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (error) {
    throw new SnapshotError('E_SNAPSHOT_IO', `Cannot read the snapshot ${file} (${(error as Error).message}). Check its path.`, {cause: error})
  }
  const records = readRecords(bytes, file)
  const facts: StoredFact[] = await Promise.all(
    records.map(async (record) => ({
      kind: record.kind,
      text: await redactText(record.text, {allow: settings.redactAllow}),
      source: record.source,
      strength: record.strength,
      uses: record.uses,
      created_at: record.createdAt,
      last_used_at: record.lastUsedAt,
    })),
  )
  const decay = decayAt(settings)
  return db.transaction(() => {
    let added = 0
    for (const fact of facts) if (mergeFact(db, fact, decay)) added++
    const pruned = pruneFacts(db, settings.pruneBelow, decay)
    return {file, facts: facts.length, added, merged: facts.length - added, pruned}
  })()
}
