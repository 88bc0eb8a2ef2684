/** The one shape every check reports in, and the catalogue of rules behind them. */

export type Severity = 'error' | 'warning' | 'note'
export type FailOn = 'error' | 'warning' | 'never'

export interface Finding {
  ruleId: RuleId
  severity: Severity
  message: string
  /** Repository-relative path, with forward slashes. */
  path: string
  /** 1-based; absent for findings about a whole file. */
  line?: number
  endLine?: number
  /** What found it, finer than the rule: the secret detector's rule ids (`github-pat`). SARIF carries them as tags. */
  tags?: string[]
}

export interface RuleInfo {
  name: string
  description: string
  defaultSeverity: Severity
}

export const RULES = {
  'metrics/complexity': {
    name: 'ComplexityThreshold',
    description: 'A changed function crosses the cyclomatic complexity limit (reviewMaxComplexity).',
    defaultSeverity: 'warning',
  },
  'metrics/complexity-growth': {
    name: 'ComplexityGrowth',
    description: "A changed function's cyclomatic complexity grew by more than reviewMaxComplexityGrowth.",
    defaultSeverity: 'warning',
  },
  'metrics/length': {
    name: 'FunctionLength',
    description: 'A changed function crosses the length limit in lines (reviewMaxFunctionLines).',
    defaultSeverity: 'warning',
  },
  'licence/dependency': {
    name: 'DependencyLicence',
    description: 'A new or changed dependency has a licence outside reviewAllowedLicenses.',
    defaultSeverity: 'error',
  },
  'licence/unknown': {
    name: 'UnknownDependencyLicence',
    description: 'The licence of a new or changed dependency could not be read from installed package metadata.',
    defaultSeverity: 'note',
  },
  'licence/file-header': {
    name: 'FileLicenceHeader',
    description: "An added file's licence header conflicts with the repository's licence and reviewAllowedLicenses.",
    defaultSeverity: 'error',
  },
  'llm/review': {
    name: 'ReviewerComment',
    description: "The LLM reviewer's comment on the diff (`--llm`).",
    defaultSeverity: 'warning',
  },
  'llm/unavailable': {
    name: 'ReviewerUnavailable',
    description: 'The LLM reviewer could not run (`--llm`): its error is the message; the static checks ran all the same.',
    defaultSeverity: 'warning',
  },
  'secret/added': {
    name: 'SecretInAddedLine',
    description: 'An added line contains what looks like a secret (key, token, password or private key).',
    defaultSeverity: 'error',
  },
} as const satisfies Record<string, RuleInfo>

export type RuleId = keyof typeof RULES

const RANK: Record<Severity, number> = {note: 0, warning: 1, error: 2}

/** True when a finding of this severity should fail the run under `--fail-on`. */
export function failsOn(severity: Severity, failOn: FailOn): boolean {
  return failOn !== 'never' && RANK[severity] >= RANK[failOn]
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = {error: 0, warning: 0, note: 0}
  for (const finding of findings) counts[finding.severity]++
  return counts
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) => RANK[b.severity] - RANK[a.severity] || a.path.localeCompare(b.path) || (a.line ?? 0) - (b.line ?? 0),
  )
}
