/** The bench's result, as a table for people or as JSON for --json. */
import type {CleanFile} from './clean-corpus.js'
import type {FormatOutcome, ScannerSummary} from './score.js'
import {type Finding, SCANNERS, type ScannerId} from './scanners.js'

export interface BenchResult {
  planted: {formats: number; byContext: Record<string, number>}
  clean: {files: number; byLanguage: Record<string, number>; seed: string}
  scanners: Record<ScannerId, ScannerSummary>
  formats: FormatOutcome[]
  /** Every planted value each scanner missed over `count` corpora (the first is `formats`). */
  rounds: {count: number; missed: Record<ScannerId, string[]>}
  /** Every finding of ours on the clean corpus, to be justified or fixed one by one. */
  oursCleanFindings: Finding[]
  cleanFindingsByRule: Record<ScannerId, Record<string, number>>
}

export function countByRule(findings: readonly Finding[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const finding of findings) counts[finding.rule] = (counts[finding.rule] ?? 0) + 1
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]))
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)))
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')
}

const percent = (part: number, whole: number) => `${part}/${whole} (${((100 * part) / whole).toFixed(1)}%)`
const mark = (caught: boolean) => (caught ? 'yes' : '-')

export function formatReport(result: BenchResult): string {
  const total = result.formats.length
  const formatRows = result.formats.map((outcome) => [outcome.format, outcome.context, outcome.ruleSets.join('+'), ...SCANNERS.map((scanner) => mark(outcome.caught[scanner]))])
  const summaryRows = SCANNERS.map((scanner) => {
    const summary = result.scanners[scanner]
    return [
      scanner,
      percent(summary.caught, total),
      summary.caughtOwn ? percent(summary.caughtOwn.caught, summary.caughtOwn.of) : '',
      String(summary.cleanFindings),
      summary.cleanSeconds.toFixed(2),
      summary.cleanFilesPerSecond.toFixed(0),
      summary.plantedSeconds.toFixed(2),
    ]
  })
  const byRule = SCANNERS.map((scanner) => {
    const rules = Object.entries(result.cleanFindingsByRule[scanner]).map(([rule, count]) => `${rule} ${count}`)
    return `  ${scanner}: ${rules.length ? rules.join(', ') : 'none'}`
  })
  const ours = result.oursCleanFindings.map((finding) => `  ${finding.file}:${finding.startLine}  ${finding.rule}`)
  const languages = Object.entries(result.clean.byLanguage).map(([language, count]) => `${language} ${count}`).join(', ')
  const contexts = Object.entries(result.planted.byContext).map(([context, count]) => `${context} ${count}`).join(', ')
  return [
    `Planted corpus: ${result.planted.formats} formats, one file each (${contexts})`,
    `Clean corpus: ${result.clean.files} files (${languages}), seed ${result.clean.seed}`,
    '',
    table(['format', 'context', 'rule set', ...SCANNERS], formatRows),
    '',
    table(['scanner', 'recall', 'recall on own rule set', 'clean findings', 'clean s', 'clean files/s', 'planted s'], summaryRows),
    '',
    `Planted values missed over ${result.rounds.count} corpora of ${total}:`,
    ...SCANNERS.map((scanner) => `  ${scanner}: ${result.rounds.missed[scanner].length}${scanner === 'ours' && result.rounds.missed.ours.length ? ` (${result.rounds.missed.ours.join(', ')})` : ''}`),
    '',
    'Clean-corpus findings by rule:',
    ...byRule,
    '',
    `Our findings on the clean corpus (${result.oursCleanFindings.length}):`,
    ...(ours.length ? ours : ['  none']),
  ].join('\n')
}
