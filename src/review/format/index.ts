import type {ReviewReport} from '../review.js'
import {formatJunit} from './junit.js'
import {formatMarkdown} from './markdown.js'
import {formatSarif} from './sarif.js'
import {formatText} from './text.js'

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

export function formatReport(report: ReviewReport, format: ReportFormat, toolVersion: string): string {
  switch (format) {
    case 'text':
      return `${formatText(report)}\n`
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`
    case 'sarif':
      return formatSarif(report, toolVersion)
    case 'junit':
      return formatJunit(report)
    case 'markdown':
      return formatMarkdown(report)
  }
}
