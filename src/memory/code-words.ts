/**
 * Code as words for full-text search. An identifier is one token to FTS5 (`parseHeader`), while a
 * question says "parse header": so each identifier is indexed as its parts and as the whole
 * (`parse header parseheader`), and a query is split the same way, so either spelling finds it.
 */

const IDENTIFIER = /[\p{L}\p{N}_$]+/gu
/** Boundaries inside an identifier: `parseHTTPHeader` → parse HTTP Header, `v2Client` → v 2 Client. */
const PART = /\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?\p{Ll}+|\p{Lu}+|\p{N}+/gu

/** The parts of one identifier, lowercased, and the whole when it has more than one part. */
export function identifierWords(identifier: string): string[] {
  const parts = (identifier.match(PART) ?? []).map((part) => part.toLowerCase())
  const whole = identifier.replace(/[_$]/g, '').toLowerCase()
  return parts.length > 1 && whole !== '' ? [...parts, whole] : parts
}

/** Every identifier of `text` split into words, in order, as one space-separated string for FTS5. */
export function codeWords(text: string): string {
  const words: string[] = []
  for (const identifier of text.match(IDENTIFIER) ?? []) words.push(...identifierWords(identifier))
  return words.join(' ')
}

/** The distinct words of a query, identifiers split as the index splits them. */
export function queryWords(text: string): string[] {
  return [...new Set(codeWords(text).split(' ').filter(Boolean))]
}
