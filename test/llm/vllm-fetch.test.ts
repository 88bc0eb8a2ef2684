import {describe, expect, it} from 'vitest'

import {collectChat} from '../../src/llm/collect.js'
import {STREAM_PIECE_BYTES, vllmFetch} from '../../src/llm/vllm-fetch.js'
import {client, server} from './helpers.js'

async function chunksOf(response: Response): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = []
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk)
  return chunks
}

const join = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString('utf8')

describe('vllmFetch on a streamed answer', () => {
  it('hands the body over in pieces no larger than STREAM_PIECE_BYTES, every byte unchanged', async () => {
    const llm = await server()
    const text = 'word '.repeat(3000)
    llm.setHandler(() => ({type: 'completion', text}))
    const request = () => ({
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({model: 'test-model', messages: [{role: 'user', content: 'go'}], stream: true}),
    })
    const plain = await chunksOf(await fetch(`${llm.baseUrl}/chat/completions`, request()))
    const pieces = await chunksOf(await vllmFetch(`${llm.baseUrl}/chat/completions`, request()))

    expect(Math.max(...pieces.map((piece) => piece.length))).toBeLessThanOrEqual(STREAM_PIECE_BYTES)
    expect(pieces.length).toBeGreaterThan(Buffer.concat(plain).length / STREAM_PIECE_BYTES)
    // The ids and timestamps differ between the two answers; the shape and the text do not.
    const normalise = (sse: string) => sse.replace(/"id":"[^"]+"/g, '"id":""').replace(/"created":\d+/g, '"created":0')
    expect(normalise(join(pieces))).toBe(normalise(join(plain)))
  })

  it('still gives the client the whole answer, text and tool-call arguments, when pieces cut events apart', async () => {
    const llm = await server()
    const text = 'ünïcode and ascii '.repeat(400)
    const args = JSON.stringify({path: 'src/a.ts', content: 'x'.repeat(5000)})
    llm.enqueue({type: 'completion', text, toolCalls: [{name: 'write_file', arguments: args}], finishReason: 'tool_calls'})
    const result = await collectChat(client([llm]).chat({messages: [{role: 'user', content: 'go'}]}))
    expect(result.text).toBe(text)
    expect(result.toolCalls.map((call) => call.argumentsText)).toEqual([args])
  })
})
