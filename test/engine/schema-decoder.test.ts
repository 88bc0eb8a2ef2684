import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Token, TokenBias} from 'node-llama-cpp'
import {describe, expect, it} from 'vitest'

import {SchemaCursor, SchemaDecoder, wholeCharacters} from '../../src/engine/schema-decoder.js'
import {JsonConstraint, Vocabulary} from '../../src/llm/structured/index.js'
import {tempDir} from '../support/temp-repo.js'

// A small SentencePiece-style vocabulary (multi-byte pieces, then one piece per byte) and a
// greedy longest-match tokenizer over it: enough to check what the decoder feeds and bans.
const PIECES = ['{"', '":"', '","', '"}', '"', '{', '}', ':', ',', 'tool', 'read', 'write', 'path', 'a', 'b', 'ab', 'x']
const BYTE_PIECES = Array.from({length: 256}, (_, byte) => `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`)
const PIECE_OF_ID = [...PIECES, ...BYTE_PIECES]
const EOS = PIECE_OF_ID.length

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  for (let at = 0; at < text.length; ) {
    const piece = PIECES.filter((candidate) => text.startsWith(candidate, at)).sort((a, b) => b.length - a.length)[0]
    if (piece) {
      tokens.push(PIECES.indexOf(piece) as Token)
      at += piece.length
    } else {
      for (const byte of Buffer.from(text[at]!)) tokens.push((PIECES.length + byte) as Token)
      at += 1
    }
  }
  return tokens
}

const detokenize = (tokens: readonly Token[]) =>
  Buffer.concat(tokens.map((token) => (token >= PIECES.length ? Buffer.of(token - PIECES.length) : Buffer.from(PIECE_OF_ID[token]!)))).toString('utf8')

function decoderFor(schema: Record<string, unknown>): SchemaDecoder {
  const path = join(tempDir(), 'tokenizer.json')
  const vocab = Object.fromEntries(PIECE_OF_ID.map((piece, id) => [piece, id]))
  writeFileSync(path, JSON.stringify({model: {type: 'BPE', vocab}, added_tokens: [{id: EOS, content: '</s>', special: true}]}))
  const biases = () => ({_biases: new Map<number, number>()}) as unknown as TokenBias
  return SchemaDecoder.compile(schema, Vocabulary.tokenizerJson(path, '</s>'), {tokenize, newTokenBias: biases})
}

const logits = (bias: TokenBias) => (bias as unknown as {_biases: Map<number, number>})._biases

const ACTION = {
  type: 'object',
  properties: {tool: {enum: ['read', 'write']}, path: {type: 'string', minLength: 1}},
  required: ['tool', 'path'],
  additionalProperties: false,
}

describe('decoding under a schema', () => {
  it('feeds the text the schema forces without sampling it, as compact JSON', () => {
    const cursor = new SchemaCursor(decoderFor(ACTION))
    expect(detokenize(cursor.begin())).toBe('{"tool":"')
    const forced = cursor.accept(tokenize('read')[0]!)
    expect(detokenize(forced)).toBe('","path":"')
    expect(cursor.finished).toBe(false)
  })

  it('lets through only the allowed tokens: a short allow-list where few are, a ban list inside a string; the end only once complete', () => {
    const cursor = new SchemaCursor(decoderFor(ACTION))
    cursor.begin()
    const choice = logits(cursor.bias())
    expect([...choice.keys()].map((token) => PIECE_OF_ID[token]).sort()).toEqual(['<0x72>', '<0x77>', 'read', 'write'])
    expect(new Set(choice.values())).toEqual(new Set([1e4]))

    cursor.accept(tokenize('write')[0]!)
    const inString = logits(cursor.bias())
    expect(new Set(inString.values())).toEqual(new Set([Number.NEGATIVE_INFINITY]))
    expect(inString.has(tokenize('x')[0]!)).toBe(false)
    expect(inString.has(EOS)).toBe(true)
    // The string needs one character before it may close.
    expect(inString.has(tokenize('"}')[0]!)).toBe(true)

    cursor.accept(tokenize('x')[0]!)
    expect(logits(cursor.bias()).has(tokenize('"}')[0]!)).toBe(false)
    expect(cursor.accept(tokenize('"}')[0]!)).toEqual([])
    expect(cursor.finished).toBe(true)
  })

  it('closes the answer with its shortest completion once the budget can no longer wait', () => {
    const cursor = new SchemaCursor(decoderFor(ACTION))
    cursor.begin()
    cursor.accept(tokenize('read')[0]!)
    // Plenty of tokens left: keep sampling.
    expect(cursor.closing(40, 4)).toBeUndefined()
    // The path needs a character before it may close: the search tries printable ASCII in order.
    const closing = cursor.closing(5, 4)!
    const text = `{"tool":"read","path":"${detokenize(closing)}`
    expect(JsonConstraint.fromJsonSchema(ACTION).accepts(text)).toBe(true)
    expect(detokenize(closing)).toBe(' "}')
  })

  it('refuses a token the mask forbids rather than produce invalid text', () => {
    const cursor = new SchemaCursor(decoderFor(ACTION))
    cursor.begin()
    expect(() => cursor.accept(tokenize('x')[0]!)).toThrow(/forbids/)
  })

  it('says what is wrong with a schema it cannot decode under', () => {
    expect(() => decoderFor({not: {}})).toThrow(/accepts no value|cannot decode/)
  })

  it('forces only whole characters', () => {
    const e = Buffer.from('é')
    expect(wholeCharacters(Buffer.concat([Buffer.from('ab'), e]))).toBe('abé')
    expect(wholeCharacters(Buffer.concat([Buffer.from('ab'), e.subarray(0, 1)]))).toBe('ab')
    expect(wholeCharacters(e.subarray(1))).toBe('')
    expect(wholeCharacters(Buffer.from('😀').subarray(0, 3))).toBe('')
  })
})
