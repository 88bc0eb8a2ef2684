/**
 * `pattern` is an ECMA-262 regex (ajv: `new RegExp(pattern, 'u')`). For realistic patterns and
 * generated strings over a mixed alphabet, our automaton's verdict on the JSON-encoded string
 * must equal ajv's on the string; a pattern we refuse must be refused with UnsupportedSchemaError
 * naming `pattern` and its pointer, and every pattern ajv cannot compile must be refused.
 */
import {Ajv2020} from 'ajv/dist/2020.js'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {JsonConstraint, UnsupportedSchemaError} from '../../src/llm/structured/index.js'

/** Each pattern with strings it accepts, which the generator mutates into near misses. */
const PATTERNS: [pattern: string, examples: string[]][] = [
  ['^[a-z][a-z0-9_]{2,15}$', ['user_01', 'abc']],
  ['^[a-z0-9]+(?:-[a-z0-9]+)*$', ['my-post-1', 'a']],
  ['^\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?$', ['1.2.3', '10.0.1-rc.1']],
  ['^v?\\d+(\\.\\d+)*$', ['v1.2', '3']],
  ['^[\\w.+-]+@[\\w-]+\\.[\\w.-]+$', ['a.b+c@ex-ample.co.uk']],
  ['^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$', ['jo@mail.com']],
  ['^\\S+@\\S+\\.\\S+$', ['x@y.z']],
  ['^\\d{4}-\\d{2}-\\d{2}$', ['2024-02-29']],
  ['^(?<year>\\d{4})-(?<month>0[1-9]|1[0-2])$', ['2024-01']],
  ['^(?:[01]\\d|2[0-3]):[0-5]\\d$', ['23:59', '07:05']],
  ['^\\+?[1-9]\\d{1,14}$', ['+14155552671', '12']],
  ['^\\(\\d{3}\\) \\d{3}-\\d{4}$', ['(415) 555-2671']],
  ['^#(?:[0-9a-fA-F]{3}){1,2}$', ['#fff', '#a1B2c3']],
  ['^#[0-9a-fA-F]{6}$', ['#00ff00']],
  ['^[A-Za-z0-9+/]+={0,2}$', ['YWJj', 'YQ==']],
  ['^[A-Z]{2}-\\d{3,}$', ['AB-123']],
  ['^https?://[^\\s/$.?#].[^\\s]*$', ['https://example.com/a?b=c']],
  ['^[\\w.-]+/[\\w.-]+$', ['owner/repo.js']],
  ['^\\w+$', ['hello_1']],
  ['^[\\w-]{3,}$', ['a-b_c']],
  ['^[-\\w]+$', ['-x']],
  ['^[^\\W_]+$', ['abc123']],
  ['^\\D+$', ['abc']],
  ['^\\W+$', ['!? ']],
  ['^[^\\d\\s]+$', ['abc']],
  ['^\\d*[.,]?\\d+$', ['3,14', '42']],
  ['\\d', ['abc1']],
  ['\\s{2,}', ['a  b']],
  ['^\\S+$', ['abc']],
  ['^\\s*$', [' \t', '']],
  ['^[\\t ]+$', [' ']],
  ['^(\\S+\\s+){4}\\S+$', ['* * * * *', '0 12 * * 1']],
  ['^.+$', ['x', 'a b']],
  ['^a.c$', ['abc', 'a c']],
  ['^.{3}$', ['abc']],
  ['^[\\s\\S]*$', ['anything']],
  ['^[^"\\\\]*$', ['plain']],
  ['"', ['say "hi"']],
  ['^\\u00e9t\\u00e9$', ['été']],
  ['^[\\u{1F600}-\\u{1F64F}]+$', ['😀']],
  ['^\\x41\\/b$', ['A/b']],
  ['^(foo|bar)baz$|^qux$', ['foobaz', 'qux']],
  ['^[a-c-\\d]+$', ['a-1']],
  ['^[---]$', ['-']],
  ['^[a-]+$', ['a-']],
  ['^\\t\\n?\\v\\f\\r$', ['\t\v\f\r']],
]

/** Patterns whose syntax regex-syntax and ECMA-262 read differently, or that a DFA cannot express. */
const EDGE_PATTERNS = [
  '\\bword\\b',
  '^\\w+\\b',
  '\\B',
  '^\\p{L}+$',
  '^\\p{Lu}',
  '^\\pL$',
  '(?=a)b',
  '(a)\\1',
  '\\k<x>(?<x>a)',
  '(?i)abc',
  '(?i:a)',
  '(?P<n>a)',
  '(?<a.b>x)',
  '[[:alpha:]]',
  '[a&&b]',
  '[a--b]',
  '[a~~b]',
  '[a[b]]',
  '[]a]',
  '[^]',
  '[]',
  '[\\w-z]',
  '[--\\d]',
  '[\\d-\\w]',
  'a{ 2 }',
  'a{,3}',
  'a{2}{3}',
  'a**',
  ']',
  '}',
  'x{a}',
  '\\x{41}',
  '\\U00000041',
  '\\a',
  '\\e',
  '\\-',
  '\\#',
  '\\&',
  '\\~',
  '\\ ',
  '\\%',
  '\\A',
  '\\z',
  '\\<',
  '\\cJ',
  '\\0',
  '\\uD83D\\uDE00',
  '^a|b$|^c$',
  'a^b',
  '(^a)',
  '(?:a)+?',
]

const ALPHABET = [
  ...'aAzZeEmM09152_-.,;:/@#+?!=()[]{}*&%$~^|`\'<>',
  '"',
  '\\',
  ...' \t\n\r\v\f',
  '\u00a0',
  '\u0085',
  '\u1680',
  '\u2003',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u3000',
  '\ufeff',
  '\u180e',
  '\u200b',
  '\u0000',
  '\u001f',
  ...'éßñØÅ',
  '\u017f',
  '\u212a',
  ...'жλ中שあ',
  ...'٣५૭０',
  '😀',
  '👍🏽',
  '\u{1f64f}',
]

const unit = fc.constantFrom(...ALPHABET)
const edit = fc.record({at: fc.nat(), kind: fc.constantFrom('replace', 'insert', 'delete'), unit})

function mutate(example: string, edits: {at: number; kind: string; unit: string}[]): string {
  const chars = [...example]
  for (const {at, kind, unit} of edits) {
    const i = chars.length === 0 ? 0 : at % (chars.length + (kind === 'insert' ? 1 : 0))
    if (kind === 'insert') chars.splice(i, 0, unit)
    else if (kind === 'delete') chars.splice(i, 1)
    else chars.splice(i, 1, unit)
  }
  return chars.join('')
}

function strings(examples: string[], seed: number): string[] {
  const nearMisses = fc.tuple(fc.constantFrom(...examples), fc.array(edit, {minLength: 1, maxLength: 3})).map(([e, edits]) => mutate(e, edits))
  const randoms = fc.array(unit, {maxLength: 10}).map((units) => units.join(''))
  return [...examples, ...fc.sample(fc.oneof(nearMisses, randoms), {seed, numRuns: 200})]
}

const ajv = new Ajv2020({strict: false})

function ajvValidator(pattern: string): ((s: string) => boolean) | undefined {
  try {
    const validate = ajv.compile({type: 'string', pattern})
    return (s) => validate(s)
  } catch {
    return undefined
  }
}

function oursOrRefusal(pattern: string): JsonConstraint | UnsupportedSchemaError {
  try {
    return JsonConstraint.fromJsonSchema({type: 'string', pattern})
  } catch (error) {
    if (error instanceof UnsupportedSchemaError) return error
    throw error
  }
}

/** `s` with every character outside printable ASCII as \u{...}, so invisible ones show. */
function visible(s: string): string {
  return s.replace(/[^\x20-\x7e]/gu, (c) => `\\u{${c.codePointAt(0)?.toString(16)}}`)
}

/** Every string where our verdict differs from ajv's. */
function disagreements(constraint: JsonConstraint, validate: (s: string) => boolean, inputs: string[]): string[] {
  return inputs
    .filter((s) => constraint.accepts(JSON.stringify(s)) !== validate(s))
    .map((s) => `"${visible(s)}": ajv ${validate(s) ? 'accepts' : 'rejects'}`)
}

describe('pattern follows ECMA-262 as ajv applies it', () => {
  it('gives ajv’s verdict on every generated string for realistic patterns', () => {
    let pairs = 0
    let acceptedByBoth = 0
    const failures: string[] = []
    PATTERNS.forEach(([pattern, examples], index) => {
      const validate = ajvValidator(pattern)
      const ours = oursOrRefusal(pattern)
      if (!validate) throw new Error(`ajv cannot compile ${pattern}`)
      if (ours instanceof UnsupportedSchemaError) {
        failures.push(`${pattern}: refused: ${ours.message}`)
        return
      }
      for (const example of examples) expect(validate(example), `${pattern} accepts ${example}`).toBe(true)
      const inputs = strings(examples, 1000 + index)
      pairs += inputs.length
      acceptedByBoth += inputs.filter((s) => validate(s) && ours.accepts(JSON.stringify(s))).length
      failures.push(...disagreements(ours, validate, inputs).map((d) => `${pattern} ${d}`))
    })
    console.log(`pattern vs ajv: ${pairs} (pattern, string) pairs over ${PATTERNS.length} patterns, ${acceptedByBoth} accepted by both`)
    expect(failures.slice(0, 30)).toEqual([])
    expect(acceptedByBoth).toBeGreaterThan(pairs / 10)
  })

  it('refuses, naming pattern and pointer, what it cannot read as ECMA-262 does, and agrees with ajv on the rest', () => {
    let refused = 0
    let compared = 0
    const failures: string[] = []
    EDGE_PATTERNS.forEach((pattern, index) => {
      const validate = ajvValidator(pattern)
      const ours = oursOrRefusal(pattern)
      if (ours instanceof UnsupportedSchemaError) {
        refused++
        expect(ours).toMatchObject({keyword: 'pattern', pointer: '/pattern'})
        return
      }
      if (!validate) {
        failures.push(`${pattern}: accepted, but ajv cannot compile it`)
        return
      }
      const inputs = strings(['a', 'ab', '-', 'A', 'word', ' '], 5000 + index)
      compared += inputs.length
      failures.push(...disagreements(ours, validate, inputs).map((d) => `${pattern} ${d}`))
    })
    console.log(`edge patterns: ${refused} of ${EDGE_PATTERNS.length} refused, ${compared} pairs compared for the rest`)
    expect(failures.slice(0, 30)).toEqual([])
  })

  it('says what to do about a word boundary', () => {
    const refusal = oursOrRefusal('^\\w+\\b')
    expect(refusal).toBeInstanceOf(UnsupportedSchemaError)
    expect((refusal as Error).message).toMatch(/word boundary/)
  })
})
