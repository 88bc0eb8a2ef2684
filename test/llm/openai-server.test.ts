/** Fidelity of the test double: the official openai client must read everything it sends. */
import OpenAI from 'openai'
import {afterEach, describe, expect, it} from 'vitest'

import {startOpenAiServer, type OpenAiTestServer} from '../support/openai-server.js'

let server: OpenAiTestServer
afterEach(() => server?.close())

const client = (s: OpenAiTestServer) => new OpenAI({baseURL: s.baseUrl, apiKey: 'test', maxRetries: 0, logLevel: 'off'})

describe('openai-compatible test server, read by the official client', () => {
  it('streams content deltas split at arbitrary byte boundaries, a usage chunk and [DONE]', async () => {
    server = await startOpenAiServer()
    server.enqueue({type: 'completion', text: 'héllo wörld, ünïcode ✓ text', writeBytes: 3, cachedTokens: 4, promptTokens: 9})
    const stream = await client(server).chat.completions.create({
      model: 'test-model',
      messages: [{role: 'user', content: 'hi'}],
      stream: true,
      stream_options: {include_usage: true},
    })
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks[0]?.choices[0]?.delta).toEqual({role: 'assistant', content: ''})
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('héllo wörld, ünïcode ✓ text')
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop')
    const usage = chunks.at(-1)
    expect(usage?.choices).toEqual([])
    expect(usage?.usage).toMatchObject({prompt_tokens: 9, completion_tokens: 5, total_tokens: 14, prompt_tokens_details: {cached_tokens: 4}})
  })

  it('omits the usage chunk unless stream_options.include_usage is set, as vLLM does', async () => {
    server = await startOpenAiServer()
    server.enqueue({type: 'completion', text: 'a b'})
    const stream = await client(server).chat.completions.create({model: 'm', messages: [], stream: true})
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks.every((chunk) => chunk.usage === undefined && chunk.choices.length === 1)).toBe(true)
  })

  it('streams tool-call deltas that the client SDK assembles into whole calls', async () => {
    server = await startOpenAiServer()
    server.enqueue({
      type: 'completion',
      toolCalls: [
        {name: 'read_file', arguments: '{"path": "src/a.ts"}', id: 'call-1'},
        {name: 'grep', arguments: '{"pattern": "foo", "glob": "*.ts"}'},
      ],
      deltaChars: 3,
      writeBytes: 7,
    })
    const runner = client(server).chat.completions.stream({
      model: 'm',
      messages: [{role: 'user', content: 'go'}],
      tools: [{type: 'function', function: {name: 'read_file', parameters: {type: 'object'}}}],
    })
    const final = await runner.finalChatCompletion()
    const choice = final.choices[0]
    expect(choice?.finish_reason).toBe('tool_calls')
    expect(choice?.message.tool_calls?.map((call) => call.type === 'function' && [call.function.name, JSON.parse(call.function.arguments)])).toEqual([
      ['read_file', {path: 'src/a.ts'}],
      ['grep', {pattern: 'foo', glob: '*.ts'}],
    ])
    expect(choice?.message.tool_calls?.[0]?.id).toBe('call-1')
  })

  it('answers without streaming, with tool calls and usage', async () => {
    server = await startOpenAiServer()
    server.enqueue({type: 'completion', toolCalls: [{name: 'grep', arguments: '{"pattern":"x"}'}], cachedTokens: 2})
    const completion = await client(server).chat.completions.create({model: 'm', messages: [{role: 'user', content: 'q'}]})
    const message = completion.choices[0]?.message
    expect(message?.content).toBeNull()
    expect(message?.tool_calls?.[0]).toMatchObject({type: 'function', function: {name: 'grep', arguments: '{"pattern":"x"}'}})
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(2)
    expect(server.chatRequests()[0]?.body.messages).toEqual([{role: 'user', content: 'q'}])
  })

  it.each(['nested', 'flat'] as const)('sends %s error bodies with Retry-After', async (shape) => {
    server = await startOpenAiServer()
    server.enqueue({type: 'error', status: 429, message: 'queue full', shape, retryAfter: '2'})
    const error = await client(server)
      .chat.completions.create({model: 'm', messages: []})
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(OpenAI.RateLimitError)
    const apiError = error as InstanceType<typeof OpenAI.RateLimitError>
    expect(apiError.headers.get('retry-after')).toBe('2')
    // The SDK reads only the nested shape; the flat one is why our client normalises bodies.
    if (shape === 'nested') expect(apiError.message).toContain('queue full')
    else expect(apiError.error).toBeUndefined()
  })

  it('lists the model with max_model_len, answers /health and /tokenize', async () => {
    server = await startOpenAiServer({model: 'qwen', maxModelLen: 4096})
    const models = await client(server).models.list()
    expect(models.data[0]).toMatchObject({id: 'qwen', max_model_len: 4096})
    expect((await fetch(`${server.root}/health`)).status).toBe(200)
    server.healthy = false
    expect((await fetch(`${server.root}/health`)).status).toBe(503)
    const tokenized = await fetch(`${server.root}/tokenize`, {method: 'POST', body: JSON.stringify({model: 'qwen', prompt: 'one two three'})})
    expect(await tokenized.json()).toMatchObject({count: 3, max_model_len: 4096})
  })

  it('injects a malformed chunk that the official client rejects', async () => {
    server = await startOpenAiServer()
    server.enqueue({type: 'completion', text: 'a b c', fault: {kind: 'malformed', afterEvents: 2}})
    const stream = await client(server).chat.completions.create({model: 'm', messages: [], stream: true})
    await expect(async () => {
      for await (const _ of stream);
    }).rejects.toThrow(SyntaxError)
  })

  it('drops the connection mid-stream', async () => {
    server = await startOpenAiServer()
    server.enqueue({type: 'completion', text: 'a b c d', fault: {kind: 'drop', afterEvents: 2}})
    const stream = await client(server).chat.completions.create({model: 'm', messages: [], stream: true})
    const seen: string[] = []
    await expect(async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '')
    }).rejects.toThrow()
    expect(seen.join('')).toBe('a')
  })
})
