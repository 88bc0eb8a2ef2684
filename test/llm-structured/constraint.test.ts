import {describe, expect, it} from 'vitest'
import {z} from 'zod'
import {
  COMPACT_WHITESPACE,
  compileSchema,
  DEAD_STATE,
  JsonConstraint,
  StructuredOutputError,
  UnsupportedSchemaError,
} from '../../src/llm/structured/index.js'

const Action = z.object({
  tool: z.enum(['read_file', 'write_file', 'run']),
  path: z.string().min(1).max(40),
  line: z.number().int().nonnegative().optional(),
  dryRun: z.boolean().nullable(),
})

describe('JsonConstraint from zod schemas', () => {
  const {constraint} = compileSchema(Action)

  it('accepts instances in compact and spaced form and rejects wrong ones', () => {
    expect(constraint.accepts('{"tool":"run","path":"a.ts","dryRun":null}')).toBe(true)
    expect(constraint.accepts('{ "tool" : "read_file" ,\n "path" : "x" , "line" : 3 , "dryRun" : true }')).toBe(true)
    expect(constraint.accepts('{"tool":"delete","path":"a.ts","dryRun":null}')).toBe(false)
    expect(constraint.accepts('{"tool":"run","path":"","dryRun":null}')).toBe(false)
    expect(constraint.accepts('{"tool":"run","path":"a","line":-1,"dryRun":null}')).toBe(false)
    expect(constraint.accepts('{"tool":"run","path":"a","dryRun":null,"extra":1}')).toBe(false)
  })

  it('reports the fixed property order as a deviation', () => {
    expect(constraint.deviations.map((d) => d.keyword)).toContain('properties')
  })

  it('names the keyword and JSON pointer it cannot honour', () => {
    const schema = z.object({items: z.array(z.number().multipleOf(3))})
    let caught: unknown
    try {
      compileSchema(schema)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(UnsupportedSchemaError)
    expect(caught).toMatchObject({keyword: 'multipleOf', pointer: '/properties/items/items/multipleOf'})
  })

  it('unrolls recursive schemas a bounded number of times and says so', () => {
    const Tree: z.ZodType<{children: unknown[]}> = z.object({children: z.array(z.lazy(() => Tree))})
    const {constraint, deviations} = compileSchema(Tree, {maxAnyDepth: 1})
    expect(deviations.map((d) => d.keyword)).toContain('$ref')
    expect(constraint.accepts('{"children":[{"children":[]}]}')).toBe(true)
    expect(constraint.accepts('{"children":[{"children":[{"children":[]}]}]}')).toBe(false)
  })
})

describe('streaming validation', () => {
  const text = '{"tool":"write_file","path":"src/é.ts","line":12,"dryRun":false}'

  it('gives the same verdicts fed byte by byte as fed at once', () => {
    const {constraint} = compileSchema(Action)
    const validator = constraint.validator()
    const bytes = Buffer.from(text)
    const statuses = [...bytes].map((byte) => validator.feed(Uint8Array.of(byte)))
    expect(statuses.slice(0, -1).every((s) => s === 'ok')).toBe(true)
    expect(statuses.at(-1)).toBe('complete')
    expect(validator.consumed).toBe(bytes.length)
  })

  it('turns dead at the first impossible byte and stays dead', () => {
    const validator = compileSchema(Action).constraint.validator()
    expect(validator.feed('{"tool":"wr')).toBe('ok')
    expect(validator.feed('x')).toBe('dead')
    expect(validator.deadAt).toBe(11)
    expect(validator.feed('ite_file"}')).toBe('dead')
  })

  it('parses the finished stream with zod and explains a dead one', () => {
    const structured = compileSchema(Action)
    const good = structured.validator()
    for (const chunk of ['\n', text.slice(0, 10), text.slice(10), '\n']) good.feed(chunk)
    expect(good.finish()).toEqual({tool: 'write_file', path: 'src/é.ts', line: 12, dryRun: false})

    const bad = structured.validator()
    bad.feed('{"tool":"run","path":"a","line":1.5')
    expect(bad.status).toBe('dead')
    const failure = bad.failure()
    expect(failure).toBeInstanceOf(StructuredOutputError)
    expect(failure?.deadAt).toBe(34) // '1.' may still become 1.0, an integer
    expect(failure?.repairPrompt()).toContain('byte 34')

    const cut = structured.validator()
    cut.feed('{"tool":"run"')
    expect(() => cut.finish()).toThrow(/ended before/)
  })
})

describe('jump-forward', () => {
  it('returns the text the schema forces and none where there is a choice', () => {
    const constraint = JsonConstraint.fromJsonSchema(
      {
        type: 'object',
        properties: {kind: {const: 'patch'}, target: {enum: ['src/a.ts', 'src/b.ts']}},
        required: ['kind', 'target'],
        additionalProperties: false,
      },
      {whitespace: COMPACT_WHITESPACE},
    )
    const first = constraint.forced()
    expect(first.text).toBe('{"kind":"patch","target":"src/')
    const choice = constraint.forced(first.state)
    expect(choice.text).toBe('')
    const rest = constraint.forced(constraint.walk('b', first.state))
    expect(rest.text).toBe('.ts"}')
    expect(constraint.status(rest.state)).toBe('complete')
    expect(constraint.walk('c', first.state)).toBe(DEAD_STATE)
  })

  it('builds states as they are reached, and throws once they outgrow the size limit', () => {
    // The classic DFA blow-up: 2^13 states from an NFA of a few dozen.
    const constraint = JsonConstraint.fromRegex('(?:a|b)*a(?:a|b){12}', {sizeLimitBytes: 40_000})
    expect(constraint.stateCount).toBe(2)
    expect(constraint.accepts('abbbbbbbbbbbb')).toBe(true)
    expect(constraint.stateCount).toBeLessThan(40)
    const everyWindow = Array.from({length: 1 << 13}, (_, n) =>
      Array.from({length: 13}, (_, bit) => ((n >> bit) & 1 ? 'a' : 'b')).join(''),
    ).join('')
    expect(() => constraint.walk(everyWindow)).toThrow(/outgrew its size limit of 40000 bytes/)
  })
})
