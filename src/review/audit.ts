/**
 * `pyagent audit`: metrics of a whole repository (or a folder of it): totals per language and
 * the most complex functions. Reads the files git tracks, so build output and dependencies
 * stay out; outside a git repository it walks the folder, skipping dot-folders and node_modules.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative, resolve, sep} from 'node:path'

import {analyzeMetrics, type FunctionMetrics, type MetricsLanguage, metricsLanguageForPath} from '../native.js'
import {git} from './git.js'

export interface LanguageTotals {
  files: number
  functions: number
  /** Sum of the functions' complexities; with `functions`, gives the mean. */
  complexity: number
  maxComplexity: number
  filesWithSyntaxErrors: number
}

export interface AuditedFunction extends FunctionMetrics {
  path: string
  language: MetricsLanguage
}

export interface AuditReport {
  root: string
  languages: Partial<Record<MetricsLanguage, LanguageTotals>>
  mostComplex: AuditedFunction[]
  /** Functions over the reviewMaxComplexity limit, anywhere in the tree. */
  overLimit: number
  limit: number
}

function walk(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') return []
    const path = join(dir, entry.name)
    return entry.isDirectory() ? walk(path) : entry.isFile() ? [path] : []
  })
}

async function listFiles(repoRoot: string, scope: string): Promise<string[]> {
  try {
    const output = await git(scope, ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--full-name', '.'])
    const top = (await git(scope, ['rev-parse', '--show-toplevel'])).trim()
    return output.split('\0').filter(Boolean).map((path) => join(top, path))
  } catch {
    return walk(scope).filter((path) => relative(repoRoot, path) !== '')
  }
}

export async function runAudit(options: {repoRoot: string; path?: string; top: number; maxComplexity: number}): Promise<AuditReport> {
  const scope = resolve(options.repoRoot, options.path ?? '.')
  const languages: AuditReport['languages'] = {}
  const all: AuditedFunction[] = []
  for (const file of await listFiles(options.repoRoot, scope)) {
    const language = metricsLanguageForPath(file)
    if (!language) continue
    let source: Buffer
    try {
      source = readFileSync(file)
    } catch {
      continue
    }
    const metrics = analyzeMetrics(source, language)
    const totals = (languages[language] ??= {files: 0, functions: 0, complexity: 0, maxComplexity: 0, filesWithSyntaxErrors: 0})
    totals.files++
    if (metrics.hasErrors) totals.filesWithSyntaxErrors++
    const path = relative(options.repoRoot, file).split(sep).join('/')
    for (const fn of metrics.functions) {
      totals.functions++
      totals.complexity += fn.complexity
      totals.maxComplexity = Math.max(totals.maxComplexity, fn.complexity)
      all.push({...fn, path, language})
    }
  }
  all.sort((a, b) => b.complexity - a.complexity || b.lines - a.lines || a.path.localeCompare(b.path))
  return {
    root: options.repoRoot,
    languages,
    mostComplex: all.slice(0, options.top),
    overLimit: all.filter((fn) => fn.complexity > options.maxComplexity).length,
    limit: options.maxComplexity,
  }
}

export function formatAudit(report: AuditReport): string {
  const lines = ['language     files  functions  mean CCN  max CCN']
  for (const [language, totals] of Object.entries(report.languages)) {
    const mean = totals.functions > 0 ? (totals.complexity / totals.functions).toFixed(2) : '-'
    const errors = totals.filesWithSyntaxErrors > 0 ? `  (${totals.filesWithSyntaxErrors} files with syntax errors)` : ''
    lines.push(
      `${language.padEnd(12)} ${String(totals.files).padStart(5)}  ${String(totals.functions).padStart(9)}  ${mean.padStart(8)}  ${String(totals.maxComplexity).padStart(7)}${errors}`,
    )
  }
  if (report.mostComplex.length > 0) {
    lines.push('', 'most complex functions:', '  CCN  lines  function')
    for (const fn of report.mostComplex) {
      lines.push(`${String(fn.complexity).padStart(5)}  ${String(fn.lines).padStart(5)}  ${fn.qualifiedName}  ${fn.path}:${fn.startLine}`)
    }
  }
  lines.push('', `${report.overLimit} functions over the complexity limit of ${report.limit} (reviewMaxComplexity)`)
  return lines.join('\n')
}
