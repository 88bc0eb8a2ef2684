import {describe, expect, it} from 'vitest'

import {analyzeMetrics, metricsLanguageForPath} from '../../src/native.js'

describe('native metrics', () => {
  it('measures each function of a file through the typed wrapper', () => {
    const source = 'def f(x):\n    if x and x > 1:\n        return 1\n    return 0\n\nlambda_ = lambda y: y\n'
    const metrics = analyzeMetrics(source, 'python')
    expect(metrics).toEqual({
      language: 'python',
      hasErrors: false,
      functions: [{name: 'f', qualifiedName: 'f', startLine: 1, endLine: 4, lines: 4, complexity: 3}],
    })
  })

  it('accepts a Buffer and picks languages from paths', () => {
    expect(analyzeMetrics(Buffer.from('fn main() { if true {} }'), 'rust').functions[0]?.complexity).toBe(2)
    expect(metricsLanguageForPath('cmd/main.go')).toBe('go')
    expect(metricsLanguageForPath('docs/index.md')).toBeNull()
    // The map's tags read these; the metrics have no rules for them.
    for (const path of ['src/Main.java', 'lib/io.c', 'include/io.h']) expect(metricsLanguageForPath(path)).toBeNull()
  })

  it('rejects an unknown language with a TypeError naming the choices', () => {
    expect(() => analyzeMetrics('x', 'cobol' as never)).toThrow(/unknown language "cobol"; expected typescript/)
    expect(() => analyzeMetrics('class A {}', 'java' as never)).toThrow(/unknown language "java"/)
  })
})
