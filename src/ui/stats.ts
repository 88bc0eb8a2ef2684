/** `pyagent stats` as text: a table of the figures, bars comparing the groups, sparklines of the days. */
import type {StatsFigures, StatsGroup, StatsReport} from '../app/stats.js'
import {bar, sparkline} from './charts.js'

const percent = (rate: number | null) => (rate === null ? '-' : `${(rate * 100).toFixed(0)}%`)
const dollars = (usd: number) => `$${usd.toFixed(usd < 1 ? 4 : 2)}`

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)}m`
  return `${(seconds / 3600).toFixed(1)}h`
}

const COLUMNS: {title: string; cell: (figures: StatsFigures) => string}[] = [
  {title: 'tasks', cell: (f) => String(f.tasks)},
  {title: 'success', cell: (f) => percent(f.successRate)},
  {title: 'steps', cell: (f) => String(f.steps)},
  {title: 'tokens', cell: (f) => f.tokens.toLocaleString('en-US')},
  {title: 'cost', cell: (f) => dollars(f.costUsd)},
  {title: 'time', cell: (f) => duration(f.seconds)},
  {title: 'edits applied', cell: (f) => (f.edits === 0 ? '-' : `${percent(f.editApplyRate)} (${f.editsApplied}/${f.edits})`)},
]

function table(rows: {key: string; figures: StatsFigures}[], keyTitle: string): string[] {
  const cells = [[keyTitle, ...COLUMNS.map((column) => column.title)], ...rows.map((row) => [row.key, ...COLUMNS.map((column) => column.cell(row.figures))])]
  const widths = cells[0]!.map((_, index) => Math.max(...cells.map((line) => line[index]!.length)))
  return cells.map((line) => line.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('  ').trimEnd())
}

const CHARTED: {title: string; value: (figures: StatsFigures) => number | null; label: (figures: StatsFigures) => string}[] = [
  {title: 'success rate', value: (f) => f.successRate, label: (f) => percent(f.successRate)},
  {title: 'tokens', value: (f) => f.tokens, label: (f) => f.tokens.toLocaleString('en-US')},
  {title: 'cost', value: (f) => f.costUsd, label: (f) => dollars(f.costUsd)},
  {title: 'edit-apply rate', value: (f) => f.editApplyRate, label: (f) => percent(f.editApplyRate)},
]

const BAR_WIDTH = 24

function bars(groups: readonly StatsGroup[]): string[] {
  const keyWidth = Math.max(...groups.map((group) => group.key.length))
  return CHARTED.flatMap((chart) => {
    const max = Math.max(0, ...groups.map((group) => chart.value(group) ?? 0))
    return ['', `${chart.title}:`, ...groups.map((group) => `  ${group.key.padEnd(keyWidth)}  ${bar(chart.value(group) ?? 0, max, BAR_WIDTH).padEnd(BAR_WIDTH)}  ${chart.label(group)}`)]
  })
}

function sparklines(daily: readonly StatsGroup[]): string[] {
  const first = daily[0]!.key
  const last = daily.at(-1)!.key
  const series = [
    {title: 'tasks', values: daily.map((d) => d.tasks)},
    {title: 'success', values: daily.map((d) => d.successRate)},
    {title: 'tokens', values: daily.map((d) => d.tokens)},
    {title: 'cost', values: daily.map((d) => d.costUsd)},
  ]
  const width = Math.max(...series.map((line) => line.title.length))
  return ['', `per day, ${first} → ${last}:`, ...series.map((line) => `  ${line.title.padEnd(width)}  ${sparkline(line.values)}`)]
}

export function renderStats(report: StatsReport): string[] {
  if (report.total.tasks === 0) return [`No finished tasks since ${report.since}.`]
  const rows = [...report.groups.map((group) => ({key: group.key, figures: group})), {key: 'all', figures: report.total}]
  return [
    `Tasks since ${report.since}:`,
    ...table(rows, report.by ?? ''),
    ...(report.groups.length > 1 ? bars(report.groups) : []),
    ...sparklines(report.daily),
  ]
}
