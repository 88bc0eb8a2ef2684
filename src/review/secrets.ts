/**
 * Secret scan of what a change adds: each file's added lines as one text (so a private key that
 * spans lines is seen whole), and the new content of binary files (their printable runs). A
 * finding never repeats the secret, only where it is and which rules found it; secrets the
 * repository's baseline already knows are left out.
 */
import type {AddedLine, ChangeSet} from './changes.js'
import type {Finding} from './findings.js'

export interface SecretMatch {
  /** The detector rule that found it, e.g. `aws-access-token`. */
  kind: string
  /** 0-based offset of the match in the content given to the detector. */
  index: number
  /** What a baseline knows the value by (src/secrets/baseline.ts). */
  fingerprint: string
}

/** Secrets in a text, or in binary content (a Uint8Array); `path` lets path-scoped rules apply. */
export type SecretDetector = (content: string | Uint8Array, path?: string) => SecretMatch[]

/** Which line of a joined text holds an offset, given each line's start offset (ascending). */
export function lineIndexAt(starts: readonly number[], offset: number): number {
  let low = 0
  let high = starts.length - 1
  while (low < high) {
    const middle = (low + high + 1) >> 1
    if ((starts[middle] ?? 0) <= offset) low = middle
    else high = middle - 1
  }
  return low
}

/** Start offset of each line once the lines are joined with `\n`. */
export function lineStarts(lines: readonly string[]): number[] {
  const starts: number[] = []
  let offset = 0
  for (const line of lines) {
    starts.push(offset)
    offset += line.length + 1
  }
  return starts
}

export function scanAddedLines(changes: ChangeSet, detect: SecretDetector, known: ReadonlySet<string> = new Set()): Finding[] {
  const findings: Finding[] = []
  for (const [path, content] of changes.binaryAfter) {
    const kinds = new Set(detect(content, path).filter((match) => !known.has(match.fingerprint)).map((match) => match.kind))
    if (kinds.size === 0) continue
    findings.push({
      ruleId: 'secret/added',
      severity: 'error',
      path,
      tags: [...kinds],
      message: `binary file holds what looks like a secret (${[...kinds].join(', ')}); remove it and rotate the credential if it is real`,
    })
  }
  for (const file of changes.files) {
    if (file.addedLines.length === 0) continue
    const texts = file.addedLines.map((added) => added.text)
    const starts = lineStarts(texts)
    const byLine = new Map<AddedLine, {kinds: Set<string>; column: number}>()
    for (const match of detect(texts.join('\n'), file.path)) {
      if (known.has(match.fingerprint)) continue
      const index = lineIndexAt(starts, match.index)
      const added = file.addedLines[index]
      if (!added) continue
      const column = match.index - (starts[index] ?? 0) + 1
      const entry = byLine.get(added) ?? {kinds: new Set<string>(), column}
      entry.kinds.add(match.kind)
      entry.column = Math.min(entry.column, column)
      byLine.set(added, entry)
    }
    // Patterns overlap (a GitHub token assigned to `token = ...`): one finding per line.
    for (const [added, {kinds, column}] of [...byLine].sort(([a], [b]) => a.line - b.line)) {
      findings.push({
        ruleId: 'secret/added',
        severity: 'error',
        path: file.path,
        line: added.line,
        tags: [...kinds],
        message: `added line looks like it holds a secret (${[...kinds].join(', ')}, column ${column}); remove it and rotate the credential if it is real, or mark a test value with a \`pyagent:allow-secret\` comment`,
      })
    }
  }
  return findings
}
