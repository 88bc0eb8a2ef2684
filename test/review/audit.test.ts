import {describe, expect, it} from 'vitest'

import {formatAudit, runAudit} from '../../src/review/audit.js'
import {tempRepo} from '../support/temp-repo.js'
import {branchyFunction} from './support.js'

describe('pyagent audit', () => {
  it('totals tracked files per language and lists the most complex functions', async () => {
    const repo = tempRepo({
      'src/a.ts': `${branchyFunction('big', 20)}${branchyFunction('small', 1)}`,
      'tools/b.py': 'def f(x):\n    return x or 1\n',
      'server/main.go': 'package main\n\nfunc main() {}\n',
      '.gitignore': 'build/\n',
    })
    repo.write('build/out.js', 'function ignored() { if (a) {} }\n')
    repo.write('src/untracked.ts', 'export function fresh() {}\n')

    const report = await runAudit({repoRoot: repo.root, top: 2, maxComplexity: 15})
    expect(report.languages).toEqual({
      typescript: {files: 2, functions: 3, complexity: 21 + 2 + 1, maxComplexity: 21, filesWithSyntaxErrors: 0},
      python: {files: 1, functions: 1, complexity: 2, maxComplexity: 2, filesWithSyntaxErrors: 0},
      go: {files: 1, functions: 1, complexity: 1, maxComplexity: 1, filesWithSyntaxErrors: 0},
    })
    expect(report.mostComplex.map((fn) => `${fn.path}:${fn.qualifiedName}:${fn.complexity}`)).toEqual(['src/a.ts:big:21', 'src/a.ts:small:2'])
    expect(report.overLimit).toBe(1)
    expect(formatAudit(report)).toContain('   21     23  big  src/a.ts:1')
  })

  it('audits one folder only', async () => {
    const repo = tempRepo({'src/a.ts': 'export function a() {}\n', 'lib/b.ts': 'export function b() {}\n'})
    const report = await runAudit({repoRoot: repo.root, path: 'lib', top: 5, maxComplexity: 15})
    expect(report.mostComplex.map((fn) => fn.path)).toEqual(['lib/b.ts'])
  })
})
