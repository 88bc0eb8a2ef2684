/**
 * Secret scan of the lines a change adds. The detector is a plain function so the review can
 * use the workspace's redaction rules (the ones that mask prompts and logs) unchanged; the
 * finding never repeats the secret, only where it is and what it looks like.
 */
import type {ChangeSet} from './changes.js'
import type {Finding} from './findings.js'

export interface SecretMatch {
  /** What the text looks like, e.g. "AWS access key ID". */
  kind: string
  /** 0-based offset of the match in the line. */
  index: number
}

export type SecretDetector = (text: string) => SecretMatch[]

export function scanAddedLines(changes: ChangeSet, detect: SecretDetector): Finding[] {
  const findings: Finding[] = []
  for (const file of changes.files) {
    for (const added of file.addedLines) {
      const matches = detect(added.text)
      const first = matches.reduce<SecretMatch | undefined>((best, match) => (!best || match.index < best.index ? match : best), undefined)
      if (!first) continue
      // Patterns overlap (a GitHub token assigned to `token = ...`): one finding per line.
      const kinds = [...new Set(matches.map((match) => match.kind))].join(', ')
      findings.push({
        ruleId: 'secret/added',
        severity: 'error',
        path: file.path,
        line: added.line,
        message: `added line looks like it holds a secret (${kinds}, column ${first.index + 1}); remove it and rotate the credential if it is real`,
      })
    }
  }
  return findings
}
