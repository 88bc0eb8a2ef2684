/**
 * Credentials in the formats providers issue, built at run time with fresh random values, so no
 * test file holds one for a scanner to flag. GitHub's and npm's tokens end in a base62 CRC32 of
 * their random part, as the real ones do; the detector rejects one without it.
 */
import {randomBytes} from 'node:crypto'
import {crc32} from 'node:zlib'

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

export function randomFrom(alphabet: string, length: number): string {
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('')
}

function base62(value: number, width: number): string {
  let digits = ''
  for (let index = 0; index < width; index++) {
    digits = BASE62[value % 62]! + digits
    value = Math.floor(value / 62)
  }
  return digits
}

/** `ghp_…` (or another GitHub / npm prefix) with a valid checksum. */
export function checksummedToken(prefix: 'ghp' | 'gho' | 'ghu' | 'ghs' | 'ghr' | 'npm' = 'ghp'): string {
  const random = randomFrom(ALNUM, 30)
  return `${prefix}_${random}${base62(crc32(random), 6)}`
}
