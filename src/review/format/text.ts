import {styleText} from 'node:util'

import type {Severity} from '../findings.js'
import type {ReviewReport} from '../review.js'

const MARK: Record<Severity, string> = {
  error: styleText('red', 'error  '),
  warning: styleText('yellow', 'warning'),
  note: styleText('cyan', 'note   '),
}

export function targetLabel(report: ReviewReport): string {
  return report.target.kind === 'staged' ? 'staged changes' : `changes since ${report.target.ref}`
}

export function formatText(report: ReviewReport): string {
  const lines = report.findings.map(
    (finding) => `${MARK[finding.severity]} ${finding.path}${finding.line ? `:${finding.line}` : ''}  ${finding.message}  [${finding.ruleId}]`,
  )
  const {error, warning, note} = report.counts
  const verdict = report.failed ? styleText('red', `failed (--fail-on ${report.failOn})`) : styleText('green', 'passed')
  lines.push(
    `pyagent review: ${targetLabel(report)}, ${report.filesReviewed} files, ${report.addedLines} added lines: ${error} errors, ${warning} warnings, ${note} notes; ${verdict}`,
  )
  return lines.join('\n')
}
