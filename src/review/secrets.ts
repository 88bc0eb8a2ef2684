/**
 * Secret scan of the lines a change adds. The detector is a plain function over text so the
 * review can use the workspace's redaction rules (the ones that mask prompts and logs)
 * unchanged; it sees each file's added lines as one text, so a detector with a per-call cost
 * runs once per file. A finding never repeats the secret, only where it is and what it looks like.
 */
import type {AddedLine, ChangeSet} from './changes.js'
import type {Finding} from './findings.js'

export interface SecretMatch {
  /** What the text looks like, e.g. "AWS access key ID". */
  kind: string
  /** 0-based offset of the match in the text given to the detector. */
  index: number
}

export type SecretDetector = (text: string) => SecretMatch[] | Promise<SecretMatch[]>

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

export async function scanAddedLines(changes: ChangeSet, detect: SecretDetector): Promise<Finding[]> {
  const findings: Finding[] = []
  for (const file of changes.files) {
    if (file.addedLines.length === 0) continue
    const texts = file.addedLines.map((added) => added.text)
    const starts = lineStarts(texts)
    const byLine = new Map<AddedLine, {kinds: Set<string>; column: number}>()
    for (const match of await detect(texts.join('\n'))) {
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
        message: `added line looks like it holds a secret (${[...kinds].join(', ')}, column ${column}); remove it and rotate the credential if it is real`,
      })
    }
  }
  return findings
}
