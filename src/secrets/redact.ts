/**
 * Masks secrets and personal data before text leaves the machine (every LLM request) and before
 * it is written to logs and events. Secrets are found by the native detector (gitleaks's
 * maintained rule data plus PyAgent's additions, with checksums and a code-shape filter), the same
 * one the review runs; personal data by libphonenumber (phones), a Luhn check (cards) and address
 * syntax (emails, IPv4, IPv6).
 */
import {isIPv4, isIPv6} from 'node:net'

import {allowMatcher} from './allow.js'
import {findSecrets} from './detect.js'

export type FindingKind = 'secret' | 'email' | 'phone' | 'card' | 'ip'

export interface Finding {
  kind: FindingKind
  /** Which rule matched, e.g. `github-pat` or `luhn`. Never the matched value. */
  rule: string
  /** Offsets in the original text. */
  start: number
  end: number
}

export interface Redaction {
  text: string
  findings: Finding[]
}

export interface RedactOptions {
  /** Values never masked: exact strings, or `/regex/flags` (config redactAllow). */
  allow?: readonly string[]
  /** Mask personal data too (default true). */
  pii?: boolean
}

const EMAIL = /[\w.%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g
const CARD_CANDIDATE = /\b\d(?:[ -]?\d){12,18}\b/g
const IPV4_CANDIDATE = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g
const IPV6_CANDIDATE = /(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])/g
/** Addresses that identify no one: loopback, unspecified, documentation-free placeholders. */
const HARMLESS_IPS = new Set(['127.0.0.1', '0.0.0.0', '255.255.255.255', '::1', '::'])

function luhnValid(digits: string): boolean {
  let sum = 0
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index])
    if (index % 2 === 1) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
  }
  return sum % 10 === 0
}

function allMatches(text: string, pattern: RegExp): RegExpExecArray[] {
  return [...text.matchAll(new RegExp(pattern.source, pattern.flags))]
}

async function piiFindings(text: string): Promise<Finding[]> {
  const findings: Finding[] = []
  for (const match of allMatches(text, EMAIL)) {
    findings.push({kind: 'email', rule: 'email', start: match.index, end: match.index + match[0].length})
  }
  for (const match of allMatches(text, CARD_CANDIDATE)) {
    const digits = match[0].replace(/[ -]/g, '')
    if (digits.length >= 13 && luhnValid(digits)) {
      findings.push({kind: 'card', rule: 'luhn', start: match.index, end: match.index + match[0].length})
    }
  }
  // Loaded on first use: its metadata is a large import, and the review's secret scan needs no PII.
  const {findPhoneNumbersInText} = await import('libphonenumber-js')
  for (const phone of findPhoneNumbersInText(text, 'US')) {
    findings.push({kind: 'phone', rule: 'libphonenumber', start: phone.startsAt, end: phone.endsAt})
  }
  for (const match of allMatches(text, IPV4_CANDIDATE)) {
    if (isIPv4(match[0]) && !HARMLESS_IPS.has(match[0])) {
      findings.push({kind: 'ip', rule: 'ipv4', start: match.index, end: match.index + match[0].length})
    }
  }
  for (const match of allMatches(text, IPV6_CANDIDATE)) {
    const groups = match[0].split(':').filter(Boolean).length
    if (groups >= 3 && isIPv6(match[0]) && !HARMLESS_IPS.has(match[0])) {
      findings.push({kind: 'ip', rule: 'ipv6', start: match.index, end: match.index + match[0].length})
    }
  }
  return findings
}

/** Overlapping findings become one masked span, labelled by a secret among them if there is one. */
function mergeSpans(findings: readonly Finding[]): Finding[] {
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end)
  const merged: Finding[] = []
  for (const finding of sorted) {
    const last = merged.at(-1)
    if (last && finding.start < last.end) {
      last.end = Math.max(last.end, finding.end)
      // A password inside a URL also looks like an e-mail address; the secret is the better name.
      if (finding.kind === 'secret' && last.kind !== 'secret') Object.assign(last, {kind: finding.kind, rule: finding.rule})
      continue
    }
    merged.push({...finding})
  }
  return merged
}

export function maskFor(finding: Finding): string {
  return finding.kind === 'secret' ? `[REDACTED:${finding.rule}]` : `[REDACTED:${finding.kind}]`
}

/** Masks secrets (and, unless `pii: false`, personal data) in `text`; findings hold offsets, never values. */
export async function redact(text: string, options: RedactOptions = {}): Promise<Redaction> {
  if (text === '') return {text, findings: []}
  const isAllowed = allowMatcher(options.allow ?? [])
  const secrets: Finding[] = findSecrets(text).map((hit) => ({kind: 'secret', ...hit}))
  const found = [...secrets, ...(options.pii === false ? [] : await piiFindings(text))]
  const findings = mergeSpans(found.filter((finding) => !isAllowed(text.slice(finding.start, finding.end))))
  let output = ''
  let cursor = 0
  for (const finding of findings) {
    output += text.slice(cursor, finding.start) + maskFor(finding)
    cursor = finding.end
  }
  return {text: output + text.slice(cursor), findings}
}

/**
 * Text already redacted, by content, bounded by total length. A conversation resends its history
 * on every step, and text that was redacted once is redacted again on its way into an event or
 * a request; a result is therefore also remembered as its own (already clean) redaction.
 */
const redactedCache = new Map<string, string>()
const CACHE_CHARS = 8_000_000
let cachedChars = 0

function remember(key: string, text: string): void {
  if (redactedCache.has(key)) return
  redactedCache.set(key, text)
  cachedChars += key.length + text.length
  for (const [oldest, value] of redactedCache) {
    if (cachedChars <= CACHE_CHARS) break
    redactedCache.delete(oldest)
    cachedChars -= oldest.length + value.length
  }
}

/** `redact(text, options).text`, remembered: what every prompt, event and log line goes through. */
export async function redactText(text: string, options: RedactOptions = {}): Promise<string> {
  const prefix = `${JSON.stringify(options)}\u0000`
  const cached = redactedCache.get(prefix + text)
  if (cached !== undefined) return cached
  const {text: masked} = await redact(text, options)
  remember(prefix + text, masked)
  remember(prefix + masked, masked)
  return masked
}

interface MessageLike {
  content?: unknown
  tool_calls?: unknown
}

/**
 * Redacts what a chat message carries to the model: its text content (a string or text parts)
 * and the arguments of its tool calls. Roles, names and ids are left as they are, so tool
 * results still pair with their calls.
 */
export async function redactMessages<M extends object>(messages: readonly M[], options: RedactOptions = {}): Promise<M[]> {
  const text = (value: string) => redactText(value, options)
  return Promise.all(
    messages.map(async (message) => {
      const {content, tool_calls: toolCalls} = message as MessageLike
      const copy = {...message} as Record<string, unknown>
      if (typeof content === 'string') copy.content = await text(content)
      if (Array.isArray(content)) {
        copy.content = await Promise.all(
          content.map(async (part: {type?: string; text?: unknown}) =>
            part?.type === 'text' && typeof part.text === 'string' ? {...part, text: await text(part.text)} : part,
          ),
        )
      }
      if (Array.isArray(toolCalls)) {
        copy.tool_calls = await Promise.all(
          toolCalls.map(async (call: {function?: {arguments?: unknown}}) =>
            typeof call?.function?.arguments === 'string'
              ? {...call, function: {...call.function, arguments: await text(call.function.arguments)}}
              : call,
          ),
        )
      }
      return copy as unknown as M
    }),
  )
}
