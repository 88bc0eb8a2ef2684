import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {applyEdits, applyPatch, diffLines, parsePatch, TextEngineError, type DiffAlgorithm} from '../../src/native.js'
import {mutatedSourcePair, randomPair, realSources, splitLines} from './cases.js'

const ALGORITHMS: DiffAlgorithm[] = ['myers', 'histogram']
const sources = realSources()

describe.each(ALGORITHMS)('applyPatch(a, diffLines(a, b)) == b with %s', (algorithm) => {
  it('over mutated real source files', () => {
    fc.assert(
      fc.property(mutatedSourcePair(sources), fc.integer({min: 0, max: 5}), ({a, b}, context) => {
        const {unified, hunks, added, removed} = diffLines(a, b, {algorithm, context})
        expect(unified === '').toBe(a === b)
        if (a !== b) expect(applyPatch(a, unified).text).toBe(b)
        const bodies = hunks.flatMap((hunk) => hunk.lines)
        expect(bodies.filter((line) => line.startsWith('+')).length).toBe(added)
        expect(bodies.filter((line) => line.startsWith('-')).length).toBe(removed)
      }),
      {numRuns: 250},
    )
  })

  it('over random texts with repeated lines, CRLF and missing final newlines', () => {
    fc.assert(
      fc.property(randomPair, fc.integer({min: 0, max: 4}), ({a, b}, context) => {
        const {unified} = diffLines(a, b, {algorithm, context})
        if (a === b) return
        expect(applyPatch(a, unified).text).toBe(b)
      }),
      {numRuns: 400},
    )
  })
})

describe('search/replace round trip', () => {
  it('replacing a block that occurs once gives the edited text', () => {
    fc.assert(
      fc.property(mutatedSourcePair(sources), fc.double({min: 0, max: 1, noNaN: true, maxExcluded: true}), fc.integer({min: 1, max: 6}), ({a}, at, size) => {
        const lines = splitLines(a)
        const start = Math.floor(at * lines.length)
        const search = lines.slice(start, start + size).join('')
        fc.pre(search.trim() !== '' && a.indexOf(search) === a.lastIndexOf(search))
        const replace = `// replaced\n${search.toUpperCase()}`
        const result = applyEdits(a, [{search, replace}])
        expect(result.text).toBe(a.replace(search, () => replace))
        expect(result.edits[0]).toMatchObject({index: 0, line: start + 1, flexible: false})
      }),
      {numRuns: 200},
    )
  })
})

describe('whitespace-flexible edits', () => {
  it('a block quoted without its indentation and replaced by itself leaves the file as it was', () => {
    const indentOf = (line: string) => /^[ \t]*/.exec(line)![0]
    fc.assert(
      fc.property(mutatedSourcePair(sources), fc.double({min: 0, max: 1, noNaN: true, maxExcluded: true}), fc.integer({min: 1, max: 5}), ({a}, at, size) => {
        const lines = splitLines(a)
        const start = Math.floor(at * lines.length)
        const block = lines.slice(start, start + size)
        const indent = indentOf(block.find((line) => line.trim() !== '') ?? '')
        fc.pre(indent !== '' && block.every((line) => line.trim() === '' || line.startsWith(indent)))
        const dedented = block.map((line) => (line.trim() === '' ? line : line.slice(indent.length))).join('').replace(/\r\n/g, '\n')
        try {
          const result = applyEdits(a, [{search: dedented, replace: dedented}], {flexibleWhitespace: true})
          expect(result.text).toBe(a)
        } catch (error) {
          expect(TextEngineError.is(error, 'E_EDIT_AMBIGUOUS')).toBe(true)
        }
      }),
      {numRuns: 200},
    )
  })
})

describe('malformed patches', () => {
  const patchLine = fc.oneof(
    fc.constantFrom(
      '--- a/x',
      '+++ b/x',
      '--- /dev/null',
      'diff --git a/x b/x',
      'diff --git "a/\\303" b/y',
      'new file mode 100644',
      'rename from x',
      'GIT binary patch',
      '@@ -1,2 +1,3 @@',
      '@@ -0,0 +1 @@',
      '@@ -99999999999 +1 @@',
      '@@ -1 +1 @@ fn',
      ' a',
      '-a',
      '+b',
      '\\ No newline at end of file',
      '',
    ),
    fc.string({maxLength: 12}).map((s) => s.replace(/\0/g, '')),
  )

  it('garbage is a result or a TextEngineError, never a crash', () => {
    fc.assert(
      fc.property(fc.array(patchLine, {maxLength: 25}), fc.boolean(), (lines, ignoreWhitespace) => {
        const patch = lines.join('\n')
        for (const run of [() => applyPatch('a\nb\nc\n', patch, {ignoreWhitespace}), () => parsePatch(patch)]) {
          try {
            run()
          } catch (error) {
            expect(error).toBeInstanceOf(TextEngineError)
          }
        }
      }),
      {numRuns: 500},
    )
  })

  it('every truncation of a real patch is a result or a TextEngineError', () => {
    const a = sources[3]!
    const b = a.replace(/\n/g, (nl, offset: number) => (offset % 7 === 0 ? '\n// x\n' : nl))
    const {unified} = diffLines(a, b)
    let errors = 0
    for (let cut = 0; cut < unified.length; cut += Math.max(1, Math.floor(unified.length / 400))) {
      try {
        applyPatch(a, unified.slice(0, cut))
      } catch (error) {
        expect(error).toBeInstanceOf(TextEngineError)
        errors++
      }
    }
    expect(errors).toBeGreaterThan(0)
  })
})
