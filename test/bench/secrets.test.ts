/**
 * The secret-detection benchmark's planted corpus (bench/secrets): enough formats from both
 * public rule sets, fresh values every run with their real checksums, every context used, and a
 * file → format → lines record that points at the secret. No scanner runs here.
 */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {CONTEXTS} from '../../bench/secrets/contexts.js'
import {type PlantedCorpus, planCorpus, writeCorpus} from '../../bench/secrets/corpus.js'
import {FORMATS} from '../../bench/secrets/formats.js'
import {BASE62} from '../../bench/secrets/random.js'
import {isCaught} from '../../bench/secrets/score.js'

const first = planCorpus()
const second = planCorpus()

/** CRC-32 (IEEE), bit by bit: independent of the zlib routine the generator uses. */
function bitwiseCrc32(text: string): number {
  let crc = 0xffffffff
  for (const byte of Buffer.from(text, 'latin1')) {
    crc ^= byte
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

const fromBase62 = (digits: string) => [...digits].reduce((value, digit) => value * 62 + BASE62.indexOf(digit), 0)

/** GitHub's and npm's layout: prefix, 30 random base62 characters, then their CRC32 in 6 base62 digits. */
function checksumHolds(token: string, prefix: string): boolean {
  const rest = token.slice(prefix.length)
  return token.startsWith(prefix) && /^[0-9A-Za-z]{36}$/.test(rest) && fromBase62(rest.slice(30)) === bitwiseCrc32(rest.slice(0, 30))
}

const secretOf = (corpus: PlantedCorpus, format: string) => corpus.secrets.find((secret) => secret.format === format)!
const textOf = (corpus: PlantedCorpus, path: string) => corpus.files.find((file) => file.path === path)!.text

describe('the planted secret corpus', () => {
  it('holds at least 80 distinct formats, from both gitleaks and detect-secrets, one file each', () => {
    expect(new Set(FORMATS.map((format) => format.id)).size).toBe(FORMATS.length)
    expect(first.secrets.length).toBe(FORMATS.length)
    expect(FORMATS.length).toBeGreaterThanOrEqual(80)
    expect(FORMATS.filter((format) => format.ruleSets.includes('gitleaks')).length).toBeGreaterThanOrEqual(60)
    expect(FORMATS.filter((format) => format.ruleSets.includes('detect-secrets')).length).toBeGreaterThanOrEqual(20)
    expect(new Set(first.files.map((file) => file.path)).size).toBe(first.files.length)
  })

  it('draws a fresh value for every format on every run', () => {
    for (const secret of first.secrets) expect(secretOf(second, secret.format).value, secret.format).not.toBe(secret.value)
  })

  it.each(['github-pat', 'github-oauth', 'github-user-to-server', 'github-server-to-server', 'github-refresh-token', 'npm-access-token', 'npmrc-auth-token'])('gives %s a valid CRC32 suffix, which one changed character breaks', (format) => {
    const token = secretOf(first, format).value
    const prefix = token.slice(0, 4)
    expect(checksumHolds(token, prefix)).toBe(true)
    const flipped = `${token.slice(0, 10)}${token[10] === 'a' ? 'b' : 'a'}${token.slice(11)}`
    expect(checksumHolds(flipped, prefix)).toBe(false)
  })

  it('plants a JWT whose header and payload are base64url JSON and whose signature is an HMAC-SHA256', () => {
    const [header, payload, signature] = secretOf(first, 'jwt').value.split('.')
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({alg: 'HS256', typ: 'JWT'})
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toHaveProperty('sub')
    expect(Buffer.from(signature!, 'base64url')).toHaveLength(32)
  })

  it('uses every context, and puts the formats that may go anywhere in each of them', () => {
    expect(new Set(first.secrets.map((secret) => secret.context))).toEqual(new Set(CONTEXTS))
    const counts = CONTEXTS.map((context) => first.secrets.filter((secret) => secret.context === context).length)
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(5)
  })

  it('records the file and the lines that hold each format', () => {
    for (const secret of first.secrets) {
      expect(secret.file.startsWith(`${String(first.secrets.indexOf(secret)).padStart(3, '0')}-${secret.format}/`)).toBe(true)
      const lines = textOf(first, secret.file).split('\n')
      const held = lines.slice(secret.startLine - 1, secret.endLine).join('\n')
      const valueLines = secret.value.split('\n')
      expect(held, secret.format).toContain(valueLines[0])
      expect(held, secret.format).toContain(valueLines.at(-1))
      // Outside those lines the file holds no part of the value.
      const outside = [...lines.slice(0, secret.startLine - 1), ...lines.slice(secret.endLine)].join('\n')
      expect(outside, secret.format).not.toContain(valueLines[0])
      if (valueLines.length === 1) expect(lines[secret.startLine - 1], secret.format).toContain(secret.value)
    }
  })

  it('starts a YAML block scalar on its key line, where detect-secrets reports it', () => {
    const corpus = planCorpus(FORMATS.filter((format) => format.id === 'private-key-ec').map((format) => ({...format, contexts: ['yaml'] as const})))
    const [secret] = corpus.secrets
    const lines = corpus.files[0]!.text.split('\n')
    expect(lines[secret!.startLine - 1]).toBe('  signing_key: |')
    expect(lines[secret!.startLine]).toContain('-----BEGIN EC PRIVATE KEY-----')
  })

  it('writes each file where the record says', () => {
    const root = mkdtempSync(join(tmpdir(), 'pyagent-secrets-corpus-'))
    try {
      writeCorpus(root, first)
      for (const file of first.files) expect(readFileSync(join(root, file.path), 'utf8')).toBe(file.text)
    } finally {
      rmSync(root, {recursive: true, force: true})
    }
  })
})

describe('scoring a planted secret', () => {
  const secret = {...first.secrets[0]!, file: 'a/config.js', startLine: 5, endLine: 7}
  const finding = (file: string, startLine: number, endLine = startLine) => ({file, startLine, endLine, rule: 'r'})

  it('counts a finding in the same file on one of its lines, or spanning them', () => {
    expect(isCaught(secret, [finding('a/config.js', 5)])).toBe(true)
    expect(isCaught(secret, [finding('a/config.js', 7)])).toBe(true)
    expect(isCaught(secret, [finding('a/config.js', 2, 9)])).toBe(true)
  })

  it('does not count a finding on another line or in another file', () => {
    expect(isCaught(secret, [finding('a/config.js', 4), finding('a/config.js', 8)])).toBe(false)
    expect(isCaught(secret, [finding('b/config.js', 5)])).toBe(false)
  })
})
