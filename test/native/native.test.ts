import {execa} from 'execa'
import {copyFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

import {blake3, NativeModuleError, nativeVersion, panicForTest} from '../../src/native.js'
import {tempDir} from '../support/temp-repo.js'

const vectors = JSON.parse(readFileSync(new URL('../fixtures/blake3-vectors.json', import.meta.url), 'utf8')) as {
  cases: {input_len: number; hash: string}[]
}

function vectorInput(length: number): Buffer {
  return Buffer.from(Array.from({length}, (_, index) => index % 251))
}

describe('native module', () => {
  it('loads and reports the crate version', () => {
    expect(nativeVersion()).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it.each(vectors.cases)('blake3 matches the official vector for $input_len bytes', ({input_len, hash}) => {
    expect(blake3(vectorInput(input_len))).toBe(hash)
  })

  it('hashes a string as its UTF-8 bytes', () => {
    const text = 'héllo, wörld ✓'
    expect(blake3(text)).toBe(blake3(Buffer.from(text, 'utf8')))
  })

  it('rejects arguments that are neither Buffer nor string with a TypeError', () => {
    expect(() => blake3(42 as unknown as string)).toThrow(TypeError)
  })

  it('turns a Rust panic into a JS Error and keeps the process alive', () => {
    expect(() => panicForTest('deliberate')).toThrow(/deliberate/)
    expect(blake3('')).toBe(vectors.cases[0]?.hash)
  })
})

describe('native module load failures', () => {
  const compiled = fileURLToPath(new URL('../../dist/native.js', import.meta.url))

  async function loadFrom(indexNode: string | undefined) {
    const root = tempDir()
    mkdirSync(join(root, 'dist'))
    mkdirSync(join(root, 'native'))
    copyFileSync(compiled, join(root, 'dist', 'native.js'))
    copyFileSync(join(dirname(compiled), 'errors.js'), join(root, 'dist', 'errors.js'))
    writeFileSync(join(root, 'package.json'), '{"type":"module"}')
    if (indexNode !== undefined) writeFileSync(join(root, 'native', 'index.node'), indexNode)
    const script = `import('./dist/native.js').then((m) => { try { m.nativeVersion() } catch (e) { console.log(JSON.stringify({name: e.name, message: e.message})) } })`
    const {stdout} = await execa(process.execPath, ['-e', script], {cwd: root})
    return JSON.parse(stdout) as {name: string; message: string}
  }

  it('says how to rebuild when the binary is missing', async () => {
    const error = await loadFrom(undefined)
    expect(error.name).toBe(new NativeModuleError('').name)
    expect(error.message).toContain('could not be loaded')
    expect(error.message).toContain('npm run build:native')
  })

  it('says how to rebuild when the binary is not a loadable module', async () => {
    const error = await loadFrom('not an ELF file')
    expect(error.message).toContain('could not be loaded')
    expect(error.message).toContain('npm run build:native')
  })
})
