/**
 * Known findings, so a repository that already holds test credentials can adopt the hook:
 * `pyagent review --baseline` records every secret in the tracked files, later reviews report
 * only the others. A finding is known by a fingerprint of its value, never the value itself, so
 * it stays known when its line or file moves.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import writeFileAtomic from 'write-file-atomic'
import {z} from 'zod'

import {PyAgentError} from '../errors.js'
import {blake3} from '../native.js'

/** Committed beside the code, so teammates and CI share it. */
export const BASELINE_FILE = '.pyagent-secrets-baseline.json'

const entrySchema = z.object({path: z.string(), rule: z.string(), fingerprint: z.string().regex(/^[0-9a-f]{64}$/)})
const baselineSchema = z.object({version: z.literal(1), findings: z.array(entrySchema)})

export type BaselineEntry = z.infer<typeof entrySchema>

export class BaselineError extends PyAgentError {
  override readonly name = 'BaselineError'
  constructor(message: string, options?: ErrorOptions) {
    super('E_SECRETS_BASELINE', message, options)
  }
}

/** The fingerprint a value is known by: a domain-separated blake3 of it. */
export function fingerprintOf(value: string | Uint8Array): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value)
  return blake3(Buffer.concat([Buffer.from('pyagent-secret-v1\0'), bytes]))
}

/** Fingerprints of the baseline's findings; empty when the repository has none. */
export function readBaseline(repoRoot: string): Set<string> {
  const file = join(repoRoot, BASELINE_FILE)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set()
    throw new BaselineError(`${file} cannot be read (${(error as Error).message}); fix its permissions or delete it and run \`pyagent review --baseline\` again`)
  }
  let parsed: z.infer<typeof baselineSchema>
  try {
    parsed = baselineSchema.parse(JSON.parse(text))
  } catch {
    throw new BaselineError(`${file} is not a PyAgent secrets baseline; delete it and run \`pyagent review --baseline\` to write it again`)
  }
  return new Set(parsed.findings.map((entry) => entry.fingerprint))
}

export function writeBaseline(repoRoot: string, entries: readonly BaselineEntry[]): string {
  const file = join(repoRoot, BASELINE_FILE)
  const findings = [...entries].sort((a, b) => a.path.localeCompare(b.path) || a.rule.localeCompare(b.rule) || a.fingerprint.localeCompare(b.fingerprint))
  writeFileAtomic.sync(file, `${JSON.stringify({version: 1, findings}, null, 2)}\n`, {fsync: true})
  return file
}
