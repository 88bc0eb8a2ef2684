import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {get_encoding} from '@dqbd/tiktoken'
import fc from 'fast-check'
import {afterAll, describe, expect, it} from 'vitest'
import {z} from 'zod'
import {DEAD_STATE, JsonConstraint, TokenIndex, Vocabulary, compileSchema} from '../../src/llm/structured/index.js'
import {tempDir} from '../support/temp-repo.js'

const ToolCall = z.object({
  tool: z.enum(['read_file', 'write_file', 'search']),
  args: z.object({
    path: z.string().max(60),
    line: z.number().int().min(1).max(100_000).optional(),
    pattern: z.string().nullable(),
  }),
  tags: z.array(z.enum(['fast', 'safe', 'ünïcode'])).max(3),
  confidence: z.number().min(0).max(1),
})

const toolCalls = fc.record({
  tool: fc.constantFrom('read_file', 'write_file', 'search'),
  args: fc.record(
    {
      path: fc.string({maxLength: 60, unit: 'binary'}),
      line: fc.integer({min: 1, max: 100_000}),
      pattern: fc.option(fc.string({maxLength: 20, unit: 'grapheme'}), {nil: null}),
    },
    {requiredKeys: ['path', 'pattern']},
  ),
  tags: fc.array(fc.constantFrom('fast', 'safe', 'ünïcode'), {maxLength: 3}),
  // Bounded numbers are matched without exponents, and JSON.stringify writes thousandths plainly.
  confidence: fc.integer({min: 0, max: 1000}).map((n) => n / 1000),
})

/** Key order of the schema (generation order), as the index expects. */
function ordered(call: z.infer<typeof ToolCall>): string {
  const {path, line, pattern} = call.args
  return JSON.stringify({
    tool: call.tool,
    args: line === undefined ? {path, pattern} : {path, line, pattern},
    tags: call.tags,
    confidence: call.confidence,
  })
}

describe('token index over tiktoken vocabularies', () => {
  const encoders = new Map<string, ReturnType<typeof get_encoding>>()
  afterAll(() => {
    for (const encoder of encoders.values()) encoder.free()
  })

  for (const encoding of ['cl100k_base', 'o200k_base'] as const) {
    it(`walking advance over ${encoding} tokens of valid instances never meets a masked token`, () => {
      const {constraint} = compileSchema(ToolCall)
      const vocabulary = Vocabulary.tiktoken(encoding)
      expect(vocabulary.eosToken).not.toBeNull()
      const index = new TokenIndex(constraint, vocabulary)
      const encoder = get_encoding(encoding)
      encoders.set(encoding, encoder)
      fc.assert(
        fc.property(toolCalls, (call) => {
          const text = ordered(call)
          let state = constraint.startState
          for (const token of encoder.encode(text, [], [])) {
            expect(index.allows(state, token)).toBe(true)
            state = index.advance(state, token)
            expect(state).not.toBe(DEAD_STATE)
          }
          expect(constraint.status(state)).toBe('complete')
          expect(index.allows(state, vocabulary.eosToken ?? -1)).toBe(true)
        }),
        {numRuns: encoding === 'cl100k_base' ? 60 : 25, seed: 8},
      )
    })
  }
})

describe('token masks on a small vocabulary', () => {
  const pieces = ['{', '}', '"', ':', ',', ' ', 'a', 'b', 'ab', 'ok', 'null', 'nu', 'll', 'true', '1', '12', '0.', '5', '-',
    '{"', '":', '"}', '▁"', 'é', 'ü', '[', ']', '[]', '"ok', 'k"']
  const bytePieces = Array.from({length: 256}, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`)
  const pieceOfId = [...pieces, ...bytePieces]
  const vocab: Record<string, number> = Object.fromEntries(pieceOfId.map((piece, id) => [piece, id]))
  const eosId = pieceOfId.length
  const tokenBytes = (id: number): Buffer => {
    const piece = pieceOfId[id] ?? ''
    const hex = /^<0x([0-9A-F]{2})>$/.exec(piece)
    return hex ? Buffer.from([Number.parseInt(hex[1] ?? '0', 16)]) : Buffer.from(piece.replaceAll('▁', ' '))
  }
  /** Writes the vocabulary as a SentencePiece-style tokenizer.json and loads it (inside a test). */
  const loadVocabulary = (): Vocabulary => {
    const path = join(tempDir(), 'tokenizer.json')
    writeFileSync(
      path,
      JSON.stringify({model: {type: 'BPE', vocab}, added_tokens: [{id: eosId, content: '</s>', special: true}]}),
    )
    return Vocabulary.tokenizerJson(path, '</s>')
  }

  const constraint = JsonConstraint.fromJsonSchema({
    type: 'object',
    properties: {
      name: {type: 'string', maxLength: 4},
      score: {type: 'number', minimum: -1, maximum: 12.5},
      flags: {type: 'array', items: {enum: ['ok', null]}, maxItems: 2},
    },
    required: ['name'],
    additionalProperties: false,
  })

  it('equals a brute-force check of which tokens keep the DFA alive, in every state', () => {
    const vocabulary = loadVocabulary()
    const index = new TokenIndex(constraint, vocabulary, {eager: true})
    expect(vocabulary.size).toBe(eosId + 1)
    expect(constraint.stateCount).toBeGreaterThan(20)
    for (let state = 1; state < constraint.stateCount; state++) {
      for (let token = 0; token < vocabulary.size; token++) {
        const expected =
          token === eosId ? constraint.status(state) === 'complete' : constraint.walk(tokenBytes(token), state) !== DEAD_STATE
        if (index.allows(state, token) !== expected) {
          throw new Error(`state ${state}, token ${token} (${JSON.stringify(tokenBytes(token).toString())}): mask says ${!expected}`)
        }
      }
    }
  })

  it('hands eager masks out as views over one buffer, and lazy masks equal eager ones', () => {
    const vocabulary = loadVocabulary()
    const eager = new TokenIndex(constraint, vocabulary, {eager: true})
    const lazy = new TokenIndex(constraint, vocabulary)
    const start = constraint.startState
    const afterBrace = eager.advance(start, vocab['{'] ?? -1)
    expect(afterBrace).not.toBe(DEAD_STATE)
    expect(eager.mask(start).buffer).toBe(eager.mask(afterBrace).buffer)
    expect(eager.mask(start)).toBe(eager.mask(start))
    for (let state = 0; state < constraint.stateCount; state++) {
      expect([...lazy.mask(state)]).toEqual([...eager.mask(state)])
    }
    expect(eager.stats.distinctMasks).toBeLessThan(constraint.stateCount)
  })
})
