/**
 * Metrics findings on the functions a change touches: one that crosses a complexity or length
 * limit, or whose complexity grows by more than the allowed amount. A function that was already
 * over a limit and did not grow is left alone, so touching legacy code does not block a commit.
 */
import {analyzeMetrics, type FunctionMetrics, metricsLanguageForPath} from '../native.js'
import type {ChangeSet} from './changes.js'
import type {Finding} from './findings.js'

export interface MetricsLimits {
  maxComplexity: number
  maxComplexityGrowth: number
  maxFunctionLines: number
}

function touches(fn: FunctionMetrics, addedLines: ReadonlySet<number>): boolean {
  for (let line = fn.startLine; line <= fn.endLine; line++) if (addedLines.has(line)) return true
  return false
}

export function checkMetrics(changes: ChangeSet, limits: MetricsLimits): Finding[] {
  const findings: Finding[] = []
  for (const file of changes.files) {
    const language = metricsLanguageForPath(file.path)
    const text = changes.after.get(file.path)
    if (!language || text === undefined || file.addedLines.length === 0) continue
    const added = new Set(file.addedLines.map((line) => line.line))
    const oldText = changes.before.get(file.path)
    const previous = new Map<string, FunctionMetrics>()
    if (oldText !== undefined) {
      for (const fn of analyzeMetrics(oldText, language).functions) {
        if (!previous.has(fn.qualifiedName)) previous.set(fn.qualifiedName, fn)
      }
    }
    for (const fn of analyzeMetrics(text, language).functions) {
      if (!touches(fn, added)) continue
      const before = previous.get(fn.qualifiedName)
      const at = {path: file.path, line: fn.startLine, endLine: fn.endLine}
      if (fn.complexity > limits.maxComplexity && (!before || before.complexity <= limits.maxComplexity)) {
        findings.push({
          ...at,
          ruleId: 'metrics/complexity',
          severity: 'warning',
          message: `${fn.qualifiedName} has cyclomatic complexity ${fn.complexity}, over the limit of ${limits.maxComplexity}${before ? ` (was ${before.complexity})` : ''}; split it into smaller functions`,
        })
      } else if (before && fn.complexity - before.complexity > limits.maxComplexityGrowth) {
        findings.push({
          ...at,
          ruleId: 'metrics/complexity-growth',
          severity: 'warning',
          message: `${fn.qualifiedName}'s cyclomatic complexity grew from ${before.complexity} to ${fn.complexity}, more than the allowed ${limits.maxComplexityGrowth}`,
        })
      }
      if (fn.lines > limits.maxFunctionLines && (!before || before.lines <= limits.maxFunctionLines)) {
        findings.push({
          ...at,
          ruleId: 'metrics/length',
          severity: 'warning',
          message: `${fn.qualifiedName} is ${fn.lines} lines long, over the limit of ${limits.maxFunctionLines}${before ? ` (was ${before.lines})` : ''}`,
        })
      }
    }
  }
  return findings
}
