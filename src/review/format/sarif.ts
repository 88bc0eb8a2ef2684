/** SARIF 2.1.0, the format code-scanning services (GitHub, Azure DevOps, GitLab) ingest. */
import type {Log, ReportingDescriptor, Result} from 'sarif'

import {RULES, type RuleId, type Severity} from '../findings.js'
import type {ReviewReport} from '../review.js'

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json'
const LEVEL: Record<Severity, Result.level> = {error: 'error', warning: 'warning', note: 'note'}

export function buildSarif(report: ReviewReport, toolVersion: string): Log {
  const ruleIds = Object.keys(RULES) as RuleId[]
  const rules: ReportingDescriptor[] = ruleIds.map((id) => ({
    id,
    name: RULES[id].name,
    shortDescription: {text: RULES[id].description},
    defaultConfiguration: {level: LEVEL[RULES[id].defaultSeverity]},
  }))
  const results: Result[] = report.findings.map((finding) => ({
    ruleId: finding.ruleId,
    ruleIndex: ruleIds.indexOf(finding.ruleId),
    level: LEVEL[finding.severity],
    message: {text: finding.message},
    ...(finding.tags ? {properties: {tags: finding.tags}} : {}),
    locations: [
      {
        physicalLocation: {
          artifactLocation: {uri: encodeURI(finding.path), uriBaseId: '%SRCROOT%'},
          ...(finding.line
            ? {region: {startLine: finding.line, ...(finding.endLine ? {endLine: finding.endLine} : {})}}
            : {}),
        },
      },
    ],
  }))
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {driver: {name: 'pyagent', semanticVersion: toolVersion, version: toolVersion, rules}},
        results,
      },
    ],
  }
}

export function formatSarif(report: ReviewReport, toolVersion: string): string {
  return `${JSON.stringify(buildSarif(report, toolVersion), null, 2)}\n`
}
