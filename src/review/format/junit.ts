/**
 * JUnit XML, the format CI systems show as test results: each finding at or above --fail-on is
 * a failing test case of its own (JUnit allows one <failure> per case); each rule with none is
 * a passing case, whose system-out lists the findings below --fail-on so they stay visible.
 */
import {failsOn, type Finding, RULES, type RuleId} from '../findings.js'
import type {ReviewReport} from '../review.js'

function escapeXml(text: string): string {
  // XML 1.0 cannot carry most control characters even escaped; drop them.
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;')
}

function where(finding: Finding): string {
  return `${finding.path}${finding.line ? `:${finding.line}` : ''}`
}

function testcase(name: string, body: string[]): string {
  const open = `    <testcase classname="pyagent.review" name="${escapeXml(name)}" time="0"`
  return body.length > 0 ? `${open}>\n${body.join('\n')}\n    </testcase>` : `${open}/>`
}

export function formatJunit(report: ReviewReport): string {
  const cases: string[] = []
  let failures = 0
  const ran = (Object.keys(RULES) as RuleId[]).filter((ruleId) => !ruleId.startsWith('llm/') || report.llm)
  for (const ruleId of ran) {
    const findings = report.findings.filter((finding) => finding.ruleId === ruleId)
    const failing = findings.filter((finding) => failsOn(finding.severity, report.failOn))
    const passing = findings.filter((finding) => !failsOn(finding.severity, report.failOn))
    for (const finding of failing) {
      failures++
      const failure = `      <failure type="${finding.severity}" message="${escapeXml(finding.message)}">${escapeXml(`${where(finding)}: ${finding.message}`)}</failure>`
      cases.push(testcase(`${ruleId} ${where(finding)}`, [failure]))
    }
    if (failing.length === 0) {
      const notes = passing.map((finding) => `${finding.severity} ${where(finding)}: ${finding.message}`).join('\n')
      cases.push(testcase(`${ruleId}: ${RULES[ruleId].description}`, notes ? [`      <system-out>${escapeXml(notes)}</system-out>`] : []))
    }
  }
  const seconds = (report.durationMs / 1000).toFixed(3)
  const counts = `tests="${cases.length}" failures="${failures}" errors="0"`
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="pyagent review" ${counts} time="${seconds}">`,
    `  <testsuite name="pyagent review" ${counts} skipped="0" time="${seconds}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}
