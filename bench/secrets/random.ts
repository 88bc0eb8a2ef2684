/**
 * Fresh random values for the planted corpus, drawn from crypto.randomBytes so that no run's
 * secrets can be learnt from an earlier one, and the checksums some token formats carry.
 */
import {createHmac, randomBytes} from 'node:crypto'
import {crc32} from 'node:zlib'

export const DIGITS = '0123456789'
export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
export const LOWER = 'abcdefghijklmnopqrstuvwxyz'
export const HEX = '0123456789abcdef'
export const HEX_UPPER = '0123456789ABCDEF'
/** The order GitHub's and npm's base62 checksums use: digits, upper case, lower case. */
export const BASE62 = DIGITS + UPPER + LOWER
export const LOWER_ALNUM = DIGITS + LOWER
export const UPPER_ALNUM = DIGITS + UPPER
export const URL_SAFE = `${BASE62}_-`
export const BASE64 = `${BASE62}+/`

/** `length` characters drawn uniformly from `alphabet` (rejection sampling, so no character is favoured). */
export function randomString(alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length)
  let result = ''
  while (result.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && result.length < length) result += alphabet[byte % alphabet.length]
    }
  }
  return result
}

export function randomInt(min: number, max: number): number {
  return min + (randomBytes(4).readUInt32BE(0) % (max - min + 1))
}

export function uuid(alphabet: string = HEX): string {
  return [8, 4, 4, 4, 12].map((length) => randomString(alphabet, length)).join('-')
}

export function base62(value: number, width: number): string {
  let digits = ''
  for (let rest = value; rest > 0; rest = Math.floor(rest / 62)) digits = BASE62[rest % 62] + digits
  return digits.padStart(width, '0')
}

/** The six base62 characters GitHub and npm append to a token: the CRC32 of the random body. */
export function crc32Suffix(body: string): string {
  return base62(crc32(body), 6)
}

/** `prefix` + 30 random base62 characters + their CRC32 suffix: GitHub's ghp_/gho_/… and npm's npm_ layout. */
export function checksummedToken(prefix: string): string {
  const body = randomString(BASE62, 30)
  return `${prefix}${body}${crc32Suffix(body)}`
}

/** A real HS256 JWT over a random subject, signed with a random key: header and payload are base64url JSON. */
export function signedJwt(): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const issuedAt = Math.floor(Date.now() / 1000)
  const unsigned = `${encode({alg: 'HS256', typ: 'JWT'})}.${encode({sub: randomString(LOWER_ALNUM, 12), iat: issuedAt, exp: issuedAt + 3600})}`
  return `${unsigned}.${createHmac('sha256', randomBytes(32)).update(unsigned).digest('base64url')}`
}

/** Random bytes as standard base64 wrapped at 64 columns, the body layout of PEM and armoured blocks. */
export function wrappedBase64(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,64}/g) ?? []).join('\n')
}
