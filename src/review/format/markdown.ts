import type {Severity} from '../findings.js'
import type {ReviewReport} from '../review.js'
import {targetLabel} from './text.js'

const ICON: Record<Severity, string> = {error: '🔴 error', warning: '🟡 warning', note: '🔵 note'}

function cell(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replaceAll('\n', ' ')
}

/** A GitHub-flavoured summary, e.g. for $GITHUB_STEP_SUMMARY. */
export function formatMarkdown(report: ReviewReport): string {
  const {error, warning, note} = report.counts
  const lines = [
    `### PyAgent review: ${report.failed ? '❌ failed' : '✅ passed'}`,
    '',
    `${targetLabel(report)}: ${report.filesReviewed} files, ${report.addedLines} added lines. **${error}** errors, **${warning}** warnings, **${note}** notes (fails on: ${report.failOn}).`,
  ]
  if (report.findings.length > 0) {
    lines.push('', '| severity | location | finding | rule |', '| --- | --- | --- | --- |')
    for (const finding of report.findings) {
      const location = `\`${cell(finding.path)}${finding.line ? `:${finding.line}` : ''}\``
      lines.push(`| ${ICON[finding.severity]} | ${location} | ${cell(finding.message)} | \`${finding.ruleId}\` |`)
    }
  }
  return `${lines.join('\n')}\n`
}
