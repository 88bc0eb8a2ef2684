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

function firstByName(functions: readonly FunctionMetrics[]): Map<string, FunctionMetrics> {
  const byName = new Map<string, FunctionMetrics>()
  for (const fn of functions) if (!byName.has(fn.qualifiedName)) byName.set(fn.qualifiedName, fn)
  return byName
}

/** The findings for one changed function, given its previous version when it had one. */
function judgeFunction(fn: FunctionMetrics, before: FunctionMetrics | undefined, path: string, limits: MetricsLimits): Finding[] {
  const at = {path, line: fn.startLine, endLine: fn.endLine, severity: 'warning' as const}
  const was = (value: number | undefined) => (value === undefined ? '' : ` (was ${value})`)
  const findings: Finding[] = []
  if (fn.complexity > limits.maxComplexity && !(before && before.complexity > limits.maxComplexity)) {
    findings.push({
      ...at,
      ruleId: 'metrics/complexity',
      message: `${fn.qualifiedName} has cyclomatic complexity ${fn.complexity}, over the limit of ${limits.maxComplexity}${was(before?.complexity)}; split it into smaller functions`,
    })
  } else if (before && fn.complexity - before.complexity > limits.maxComplexityGrowth) {
    findings.push({
      ...at,
      ruleId: 'metrics/complexity-growth',
      message: `${fn.qualifiedName}'s cyclomatic complexity grew from ${before.complexity} to ${fn.complexity}, more than the allowed ${limits.maxComplexityGrowth}`,
    })
  }
  if (fn.lines > limits.maxFunctionLines && !(before && before.lines > limits.maxFunctionLines)) {
    findings.push({
      ...at,
      ruleId: 'metrics/length',
      message: `${fn.qualifiedName} is ${fn.lines} lines long, over the limit of ${limits.maxFunctionLines}${was(before?.lines)}`,
    })
  }
  return findings
}

export function checkMetrics(changes: ChangeSet, limits: MetricsLimits): Finding[] {
  return changes.files.flatMap((file) => {
    const language = metricsLanguageForPath(file.path)
    const text = changes.after.get(file.path)
    if (!language || text === undefined || file.addedLines.length === 0) return []
    const added = new Set(file.addedLines.map((line) => line.line))
    const oldText = changes.before.get(file.path)
    const previous = firstByName(oldText === undefined ? [] : analyzeMetrics(oldText, language).functions)
    return analyzeMetrics(text, language)
      .functions.filter((fn) => touches(fn, added))
      .flatMap((fn) => judgeFunction(fn, previous.get(fn.qualifiedName), file.path, limits))
  })
}
