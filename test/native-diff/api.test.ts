import {describe, expect, it} from 'vitest'
import {applyEdits, applyPatch, diffLines, panicForTest, parsePatch, TextEngineError} from '../../src/native.js'

function thrown(run: () => unknown): TextEngineError {
  try {
    run()
  } catch (error) {
    if (error instanceof TextEngineError) return error
    throw error
  }
  throw new Error('expected a TextEngineError')
}

const numbered = (count: number) => Array.from({length: count}, (_, i) => `line ${i + 1}\n`).join('')

describe('diffLines', () => {
  it('returns git-style unified text and hunks built from it', () => {
    const diff = diffLines('a\nb\nc\n', 'a\nB\nc\nd', {aPath: 'src/x.ts'})
    expect(diff.unified).toBe(
      '--- a/src/x.ts\n+++ b/src/x.ts\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n\\ No newline at end of file\n',
    )
    expect(diff.hunks).toEqual([
      {
        oldStart: 1,
        oldLines: 3,
        newStart: 1,
        newLines: 4,
        header: '@@ -1,3 +1,4 @@',
        lines: [' a', '-b', '+B', ' c', '+d', '\\ No newline at end of file'],
      },
    ])
    expect([diff.added, diff.removed]).toEqual([2, 1])
  })

  it('splits hunks where git does and honours the context option', () => {
    const a = numbered(40)
    const b = a.replace('line 5\n', 'five\n').replace('line 30\n', 'thirty\n')
    expect(diffLines(a, b).hunks.map((h) => h.header)).toEqual(['@@ -2,7 +2,7 @@', '@@ -27,7 +27,7 @@'])
    expect(diffLines(a, b, {context: 0}).hunks.map((h) => h.header)).toEqual(['@@ -5 +5 @@', '@@ -30 +30 @@'])
    expect(diffLines(a, b, {context: 20}).hunks).toHaveLength(1)
  })

  it('names /dev/null for created and deleted files', () => {
    expect(diffLines('', 'x\n', {aPath: '/dev/null', bPath: 'new.txt'}).unified).toMatch(/^--- \/dev\/null\n\+\+\+ b\/new\.txt\n@@ -0,0 \+1 @@\n/)
    expect(diffLines('x\n', '', {aPath: 'old.txt', bPath: '/dev/null'}).unified).toMatch(/^--- a\/old\.txt\n\+\+\+ \/dev\/null\n@@ -1 \+0,0 @@\n/)
  })

  it('accepts Buffers and refuses binary and non-UTF-8 input with typed errors', () => {
    expect(diffLines(Buffer.from('a\n'), Buffer.from('b\n')).removed).toBe(1)
    const binary = thrown(() => diffLines('text\n', 'bin\0ary'))
    expect(binary.code).toBe('E_BINARY')
    expect(binary.details).toEqual({code: 'E_BINARY', input: 'b', offset: 3})
    expect(binary.message).toMatch(/NUL byte at offset 3/)
    const encoding = thrown(() => diffLines(Buffer.from([0x61, 0xc3, 0x28]), 'a'))
    expect(encoding.details).toEqual({code: 'E_ENCODING', input: 'a', offset: 1})
  })

  it('reads strings as their UTF-8, whatever they hold and however large, like Buffers', () => {
    const text = (count: number) => Array.from({length: count}, (_, i) => `é ${i} 日本 🙂\n`).join('')
    const [a, b] = [text(3000), text(3000).replace('é 1500 日本', 'e 1500 日本')]
    const fromStrings = diffLines(a, b)
    expect(fromStrings.hunks.map((hunk) => hunk.lines.filter((line) => line[0] !== ' '))).toEqual([['-é 1500 日本 🙂', '+e 1500 日本 🙂']])
    expect(diffLines(Buffer.from(a), b)).toEqual(fromStrings)
    expect(diffLines(Buffer.from(a), Buffer.from(b))).toEqual(fromStrings)
    // A smaller diff after a larger one, in the same scratch memory.
    expect(diffLines('x\ny\n', 'x\nz\n').unified).toBe('--- a/file\n+++ b/file\n@@ -1,2 +1,2 @@\n x\n-y\n+z\n')
    // A lone surrogate is not UTF-8: it reads as U+FFFD, as N-API reads it.
    expect(diffLines('a\n', '\uD800\n').unified).toContain('\n+\uFFFD\n')
  })

  it('rejects bad options with plain JS errors', () => {
    expect(() => diffLines('a', 'b', {context: -1})).toThrow(RangeError)
    expect(() => diffLines('a', 'b', {algorithm: 'patience' as never})).toThrow(/unknown diff algorithm/)
  })
})

describe('applyPatch', () => {
  const a = numbered(40)
  const b = a.replace('line 5\n', 'five\n').replace('line 30\n', 'thirty\n')
  const patch = diffLines(a, b, {aPath: 'f.txt'}).unified

  it('reports where each hunk applied, offsets included', () => {
    const shifted = `top\n${a}`
    expect(applyPatch(shifted, patch)).toEqual({
      text: `top\n${b}`,
      hunks: [
        {index: 0, line: 3, offset: 1, whitespace: false},
        {index: 1, line: 28, offset: 1, whitespace: false},
      ],
    })
  })

  it('fails whole with every failed hunk, its expected lines and the closest place', () => {
    const drifted = a.replace('line 4\n', 'line four\n').replace('line 31\n', 'line 31 changed\n')
    const error = thrown(() => applyPatch(drifted, patch))
    expect(error.code).toBe('E_HUNK_FAILED')
    if (!TextEngineError.is(error, 'E_HUNK_FAILED')) throw error
    expect(error.details.path).toBe('f.txt')
    expect(error.details.hunks).toBe(2)
    expect(error.details.failures.map((f) => f.index)).toEqual([0, 1])
    const [first] = error.details.failures
    expect(first!.expected).toEqual(['line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 8'])
    expect(first!.closest).toMatchObject({line: 2, text: ['line 2', 'line 3', 'line four', 'line 5', 'line 6', 'line 7', 'line 8']})
    expect(first!.closest!.similarity).toBeGreaterThan(0.8)
    expect(first!.closest!.similarity).toBeLessThan(1)
    expect(error.message).toMatch(/2 of 2 hunks failed in f\.txt; nothing was applied/)
  })

  it('matches ignoring whitespace only when asked', () => {
    const reindented = a.replace(/^line (2[6-9]|3[0-3])$/gm, '  line $1')
    expect(thrown(() => applyPatch(reindented, patch)).code).toBe('E_HUNK_FAILED')
    const result = applyPatch(reindented, patch, {ignoreWhitespace: true})
    expect(result.hunks[1]).toMatchObject({whitespace: true})
    expect(result.text).toContain('  line 29\nthirty\n  line 31\n')
  })

  it('refuses a multi-file patch and points at parsePatch', () => {
    const two = patch + diffLines('x\n', 'y\n', {aPath: 'g.txt'}).unified
    const error = thrown(() => applyPatch(a, two))
    expect(error.details).toEqual({code: 'E_PATCH_FILE_COUNT', files: ['f.txt', 'g.txt']})
    expect(error.message).toMatch(/parsePatch/)
    const [first, second] = parsePatch(two)
    expect(applyPatch(a, first!.patch).text).toBe(b)
    expect(applyPatch('x\n', second!.patch).text).toBe('y\n')
  })

  it('reports a truncated patch with its line', () => {
    const error = thrown(() => applyPatch(a, patch.split('\n').slice(0, 6).join('\n')))
    expect(error.code).toBe('E_PATCH_PARSE')
    expect(error.details).toMatchObject({line: 7, reason: expect.stringMatching(/ends inside hunk `@@ -2,7 \+2,7 @@`/)})
  })

  it('refuses a hunk whose counts are wrong, and applies it with recount', () => {
    const written = '--- a/f.txt\n+++ b/f.txt\n@@ -4,3 +4,3 @@\n line 4\n-line 5\n+five\n+5\n line 6\n\n'
    const error = thrown(() => applyPatch(a, written))
    expect(error.details).toMatchObject({code: 'E_PATCH_PARSE', line: 8})
    expect(error.message).toMatch(/more lines than its header counts/)
    const result = applyPatch(a, written, {recount: true})
    expect(result.text).toBe(a.replace('line 5\n', 'five\n5\n'))
    expect(parsePatch(written, {recount: true})[0]!.hunks[0]).toMatchObject({oldLines: 3, newLines: 4})
  })

  it('refuses a binary git patch', () => {
    const binary = 'diff --git a/i.png b/i.png\nindex 1..2 100644\nGIT binary patch\nliteral 1\nIcmZo*000\n\n'
    expect(parsePatch(binary)[0]).toMatchObject({binary: true, hunks: []})
    expect(thrown(() => applyPatch('x', binary)).code).toBe('E_BINARY')
  })
})

describe('applyEdits', () => {
  const file = 'function total(items) {\n  let sum = 0\n  for (const item of items) sum += item.price\n  return sum\n}\n'

  it('applies edits in order and reports their lines', () => {
    const result = applyEdits(file, [
      {search: '  let sum = 0\n', replace: '  let sum = 0n\n'},
      {search: 'return sum', replace: 'return Number(sum)'},
    ])
    expect(result.text).toContain('let sum = 0n\n')
    expect(result.text).toContain('return Number(sum)\n')
    expect(result.edits).toEqual([
      {index: 0, line: 2, flexible: false},
      {index: 1, line: 4, flexible: false},
    ])
  })

  it('names the nearest candidate when the search is not found', () => {
    const error = thrown(() => applyEdits(file, [{search: '  for (const item of item) sum += item.prices\n', replace: ''}]))
    if (!TextEngineError.is(error, 'E_EDIT_NO_MATCH')) throw error
    expect(error.details.index).toBe(0)
    expect(error.details.nearest).toMatchObject({line: 3, text: ['  for (const item of items) sum += item.price']})
    expect(error.details.nearest!.similarity).toBeGreaterThan(0.9)
    expect(error.message).toMatch(/nearest candidate starts at line 3/)
  })

  it('counts the matches of an ambiguous search and changes nothing', () => {
    const error = thrown(() => applyEdits(file, [{search: 'sum', replace: 'acc'}]))
    expect(error.details).toEqual({code: 'E_EDIT_AMBIGUOUS', index: 0, count: 3, lines: [2, 3, 4]})
  })

  it('matches flexibly when asked, keeping the file indentation', () => {
    const search = 'let sum = 0\nfor (const item of items) sum += item.price\n'
    const replace = 'let sum = 0\nfor (const item of items) {\n  sum += item.price\n}\n'
    expect(thrown(() => applyEdits(file, [{search, replace}])).code).toBe('E_EDIT_NO_MATCH')
    const result = applyEdits(file, [{search, replace}], {flexibleWhitespace: true})
    expect(result.text).toBe(
      'function total(items) {\n  let sum = 0\n  for (const item of items) {\n    sum += item.price\n  }\n  return sum\n}\n',
    )
    expect(result.edits[0]).toEqual({index: 0, line: 2, flexible: true})
  })

  it('refuses binary search text and an empty search on a non-empty file', () => {
    expect(thrown(() => applyEdits(file, [{search: 'a\0', replace: ''}])).details).toMatchObject({code: 'E_BINARY', input: 'edit #1 search'})
    expect(thrown(() => applyEdits(file, [{search: '', replace: 'x'}])).code).toBe('E_EDIT_INVALID')
    expect(applyEdits('', [{search: '', replace: 'new\n'}]).text).toBe('new\n')
  })
})

describe('safety', () => {
  it('turns a Rust panic into a JS Error and keeps the module usable', () => {
    expect(() => panicForTest('boom')).toThrow(/boom/)
    expect(diffLines('a\n', 'b\n').removed).toBe(1)
  })
})
