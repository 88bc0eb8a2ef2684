/** The vocabulary read from a GGUF: byte-level BPE and SentencePiece alike (Gemma's is SentencePiece). */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {readGgufVocabulary} from '../../src/engine/gguf-vocabulary.js'
import {JsonConstraint, TokenIndex} from '../../src/llm/structured/index.js'
import {tempDir} from '../support/temp-repo.js'

/** A GGUF v3 file holding only metadata (no tensors): enough for the tokenizer to be read. */
function metadataOnlyGguf(model: string, tokens: string[], types: number[]): string {
  const parts: Buffer[] = []
  const u32 = (value: number) => parts.push(Buffer.from(new Uint32Array([value]).buffer))
  const u64 = (value: number) => parts.push(Buffer.from(new BigUint64Array([BigInt(value)]).buffer))
  const text = (value: string) => {
    u64(Buffer.byteLength(value))
    parts.push(Buffer.from(value))
  }
  const STRING = 8
  const INT32 = 5
  const ARRAY = 9
  const UINT32 = 4
  parts.push(Buffer.from('GGUF'))
  u32(3)
  u64(0)
  u64(5)
  text('general.architecture'), u32(STRING), text('llama')
  text('tokenizer.ggml.model'), u32(STRING), text(model)
  text('tokenizer.ggml.tokens'), u32(ARRAY), u32(STRING), u64(tokens.length)
  for (const token of tokens) text(token)
  text('tokenizer.ggml.token_type'), u32(ARRAY), u32(INT32), u64(types.length)
  parts.push(Buffer.from(new Int32Array(types).buffer))
  text('tokenizer.ggml.eos_token_id'), u32(UINT32), u32(tokens.indexOf('<eos>'))
  const path = join(tempDir(), 'model.gguf')
  writeFileSync(path, Buffer.concat(parts))
  return path
}

const BYTES = Array.from({length: 256}, (_, byte) => `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`)

describe('readGgufVocabulary', () => {
  it('reads a SentencePiece vocabulary (▁ for a space, <0xNN> bytes) and constrains with it', async () => {
    const tokens = ['<eos>', '▁hello', '{"', '"}', 'a', ...BYTES]
    const types = [3, 1, 1, 1, 1, ...BYTES.map(() => 6)]
    const vocabulary = await readGgufVocabulary(metadataOnlyGguf('llama', tokens, types))
    expect(vocabulary.size).toBe(tokens.length)
    const constraint = JsonConstraint.fromJsonSchema({type: 'object', properties: {a: {const: ' hello'}}, required: ['a'], additionalProperties: false}, {whitespace: ''})
    const index = new TokenIndex(constraint, vocabulary)
    const start = constraint.startState
    // '{"' opens the only valid answer; '▁hello' (" hello") cannot start it, but can follow '{"a":"'.
    expect(index.allows(start, tokens.indexOf('{"'))).toBe(true)
    expect(index.allows(start, tokens.indexOf('▁hello'))).toBe(false)
    expect(index.allows(constraint.walk('{"a":"'), tokens.indexOf('▁hello'))).toBe(true)
  })

  it('refuses a tokenizer it cannot map to bytes, naming it', async () => {
    await expect(readGgufVocabulary(metadataOnlyGguf('bert', ['<eos>', 'a'], [3, 1]))).rejects.toThrow(/"bert" tokenizer; constrained decoding supports byte-level BPE \(gpt2\) and SentencePiece \(llama\)/)
  })
})
