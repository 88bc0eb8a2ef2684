/**
 * The review's own secret patterns, used until the review is wired to the workspace's redaction
 * rules: well-known credential formats plus quoted values assigned to secret-sounding names.
 */
import type {SecretDetector} from './secrets.js'

const PATTERNS: readonly {kind: string; pattern: RegExp}[] = [
  {kind: 'private key', pattern: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/g},
  {kind: 'AWS access key ID', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g},
  {kind: 'GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b/g},
  {kind: 'Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g},
  {kind: 'API key', pattern: /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}\b/g},
  {kind: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g},
  {
    kind: 'credential assignment',
    pattern: /\b[\w.-]*(?:api[_-]?key|secret|token|passw(?:or)?d|pwd)[\w.-]*["']?\s*[:=]\s*["'][^"'\s]{8,}["']/gi,
  },
]

export const detectSecrets: SecretDetector = (text) =>
  PATTERNS.flatMap(({kind, pattern}) => [...text.matchAll(pattern)].map((match) => ({kind, index: match.index})))
