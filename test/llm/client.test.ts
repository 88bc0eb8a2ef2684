import fc from 'fast-check'
import {describe, expect, it, vi} from 'vitest'
import {z} from 'zod'

import {collectChat} from '../../src/llm/collect.js'
import {LlmError} from '../../src/llm/errors.js'
import {invalidArgumentsObservation} from '../../src/llm/tool-calls.js'
import type {ChatEvent, ToolCallDelta} from '../../src/llm/types.js'
import type {LlmCallRecord} from '../../src/llm/usage-log.js'
import {client, server} from './helpers.js'

const user = (content: string) => ({role: 'user' as const, content})

async function events(iterable: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const seen: ChatEvent[] = []
  for await (const event of iterable) seen.push(event)
  return seen
}

describe('LlmClient.chat', () => {
  it('streams text deltas, then usage with cached tokens, then the finish reason', async () => {
    const s = await server({model: 'qwen'})
    s.enqueue({type: 'completion', text: 'Hello there, world', writeBytes: 5, promptTokens: 30, cachedTokens: 16})
    const seen = await events(client([s]).chat({messages: [user('hi')]}))
    expect(seen.filter((e) => e.type === 'text').map((e) => e.type === 'text' && e.delta)).toEqual(['Hello', ' there,', ' world'])
    expect(seen.at(-2)).toMatchObject({type: 'usage', usage: {promptTokens: 30, completionTokens: 3, cachedTokens: 16, source: 'server'}})
    expect(seen.at(-1)).toMatchObject({type: 'finish', reason: 'stop', model: 'qwen', attempts: 1, endpoint: s.baseUrl})
    const body = s.chatRequests()[0]!.body
    expect(body).toMatchObject({model: 'qwen', stream: true, stream_options: {include_usage: true}})
  })

  it('assembles tool calls from deltas split at arbitrary points, and turns invalid arguments into an observation', async () => {
    const s = await server()
    s.enqueue({
      type: 'completion',
      text: 'Let me look.',
      toolCalls: [
        {name: 'read_file', arguments: '{"path": "src/ünï.ts", "lines": [1, 20]}', id: 'call-a'},
        {name: 'grep', arguments: '{"pattern": "foo"', id: 'call-b'},
      ],
      deltaChars: 2,
      writeBytes: 13,
    })
    const result = await collectChat(client([s]).chat({messages: [user('read it')], tools: []}))
    expect(result.finishReason).toBe('tool_calls')
    expect(result.text).toBe('Let me look.')
    expect(result.toolCalls[0]).toMatchObject({id: 'call-a', name: 'read_file', arguments: {ok: true, value: {path: 'src/ünï.ts', lines: [1, 20]}}})
    const broken = result.toolCalls[1]!
    expect(broken).toMatchObject({id: 'call-b', name: 'grep', argumentsText: '{"pattern": "foo"', arguments: {ok: false}})
    const observation = invalidArgumentsObservation(broken)
    expect(observation).toMatchObject({role: 'tool', tool_call_id: 'call-b'})
    expect(observation.content).toContain('not valid JSON')
  })

  it('reassembles any text and tool arguments, however the deltas and bytes are split', async () => {
    const s = await server()
    const llm = client([s])
    await fc.assert(
      fc.asyncProperty(
        fc.string({unit: 'grapheme', minLength: 1, maxLength: 40}),
        fc.dictionary(fc.string({unit: 'grapheme', maxLength: 8}), fc.string({unit: 'grapheme', maxLength: 12}), {maxKeys: 3}),
        fc.integer({min: 1, max: 9}),
        fc.integer({min: 4, max: 64}),
        async (text, args, deltaChars, writeBytes) => {
          const argumentsText = JSON.stringify(args)
          s.enqueue({type: 'completion', text, toolCalls: [{name: 'edit', arguments: argumentsText}], deltaChars, writeBytes})
          const result = await collectChat(llm.chat({messages: [user('go')]}))
          expect(result.text).toBe(text)
          expect(result.toolCalls).toMatchObject([{name: 'edit', argumentsText, arguments: {ok: true, value: args}}])
        },
      ),
      {numRuns: 10},
    )
  })

  it('answers without streaming through the same events', async () => {
    const s = await server()
    s.enqueue({type: 'completion', toolCalls: [{name: 'ls', arguments: ''}], cachedTokens: 3})
    const result = await collectChat(client([s]).chat({messages: [user('x')], stream: false}))
    expect(result.toolCalls).toMatchObject([{name: 'ls', arguments: {ok: true, value: {}}}])
    expect(result.usage).toMatchObject({cachedTokens: 3, source: 'server'})
    expect(s.chatRequests()[0]!.body.stream).toBe(false)
  })

  it('reports a streamed tool call as it grows, and ends the request at once when the caller cuts it short (issue 18)', async () => {
    const s = await server()
    const argumentsText = JSON.stringify({path: 'a.txt', edits: [{search: 'one two three four five six seven', replace: 'x'}]})
    s.enqueue({type: 'completion', text: 'Editing.', toolCalls: [{name: 'edit', arguments: argumentsText, id: 'call-e'}], deltaChars: 4, tokenDelayMs: 5})
    const records: LlmCallRecord[] = []
    const cut = new AbortController()
    const seen: ToolCallDelta[] = []
    const chat = client([s], {}, {recordUsage: (record) => records.push(record)}).chat({messages: [user('edit')], tools: [], cutShort: cut.signal})
    const result = await collectChat(chat, {
      onToolCallDelta: (call) => {
        seen.push({index: call.index, id: call.id, name: call.name, argumentsText: call.argumentsText})
        if (call.argumentsText.length >= 20) cut.abort()
      },
    })
    expect(seen[0]).toEqual({index: 0, id: 'call-e', name: 'edit', argumentsText: ''})
    expect(seen.map((call) => call.argumentsText)).toEqual(seen.map((_, step) => argumentsText.slice(0, 4 * step)))
    expect(result).toMatchObject({finishReason: 'stopped', text: 'Editing.'})
    expect(result.toolCalls).toMatchObject([{id: 'call-e', name: 'edit', argumentsText: argumentsText.slice(0, 20), arguments: {ok: false}}])
    expect(result.usage).toMatchObject({source: 'estimated'})
    expect(result.usage!.completionTokens).toBeGreaterThan(0)
    expect(records).toMatchObject([{status: 'ok', finishReason: 'stopped'}])
    // The server still had most of the answer to send when the client hung up.
    await vi.waitFor(() => expect(s.chatRequests()[0]!.streamed).toMatchObject({closedEarly: true}))
    const {written, events: total} = s.chatRequests()[0]!.streamed!
    expect(written).toBeLessThan(total - 10)
  })

  it('keeps a thinking model\'s reasoning apart from its answer, in both field names and both modes', async () => {
    const s = await server()
    s.enqueue(
      {type: 'completion', reasoning: 'Think first.', text: 'Answer.', reasoningField: 'reasoning'},
      {type: 'completion', reasoning: 'Old field.', text: 'Done.'},
      {type: 'completion', reasoning: 'Quiet.', text: 'Whole.'},
    )
    const llm = client([s])
    expect(await collectChat(llm.chat({messages: [user('q')]}))).toMatchObject({reasoning: 'Think first.', text: 'Answer.'})
    expect(await collectChat(llm.chat({messages: [user('q')]}))).toMatchObject({reasoning: 'Old field.', text: 'Done.'})
    expect(await collectChat(llm.chat({messages: [user('q')], stream: false}))).toMatchObject({reasoning: 'Quiet.', text: 'Whole.'})
  })

  it('sends the schema as structured_outputs (plus guided_json when asked) and validates the answer', async () => {
    const s = await server()
    const schema = z.object({action: z.enum(['edit', 'done']), path: z.string()})
    s.enqueue({type: 'completion', text: '{"action": "edit", "path": "a.ts"}'})
    const llm = client([s], {legacyGuidedFields: true, chatTemplateKwargs: {enable_thinking: false}})
    const result = await collectChat(llm.chat({messages: [user('act')], responseSchema: schema}))
    expect(result.structured).toEqual({action: 'edit', path: 'a.ts'})
    const body = s.chatRequests()[0]!.body
    expect(body.structured_outputs.json).toMatchObject({type: 'object', required: ['action', 'path']})
    expect(body.guided_json).toEqual(body.structured_outputs.json)
    expect(body.chat_template_kwargs).toEqual({enable_thinking: false})
    expect(body.response_format).toBeUndefined()
  })

  it('can send response_format json_schema instead, and rejects an answer the server did not constrain', async () => {
    const s = await server()
    s.enqueue({type: 'completion', text: '{"action": "dance"}'})
    const llm = client([s], {structuredOutputsField: 'response_format', structuredRepairs: 0})
    const error = await collectChat(llm.chat({messages: [user('act')], responseSchema: z.object({action: z.enum(['edit'])})})).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(LlmError)
    expect((error as LlmError).kind).toBe('structured_output')
    expect(s.chatRequests()[0]!.body.response_format).toMatchObject({type: 'json_schema', json_schema: {strict: true}})
    expect(s.chatRequests()[0]!.body.guided_json).toBeUndefined()
  })

  it('sends regex and choice constraints as structured_outputs and checks the answer against them', async () => {
    const s = await server()
    s.enqueue({type: 'completion', text: 'yes'}, {type: 'completion', text: 'v1.2'}, {type: 'completion', text: 'v1.2 and more'})
    const llm = client([s], {legacyGuidedFields: true, structuredRepairs: 0})
    const choice = await collectChat(llm.chat({messages: [user('ok?')], responseConstraint: {choice: ['yes', 'no']}, chatTemplateKwargs: {enable_thinking: false}}))
    expect(choice.structured).toBe('yes')
    expect(s.chatRequests()[0]!.body).toMatchObject({
      structured_outputs: {choice: ['yes', 'no']},
      guided_choice: ['yes', 'no'],
      chat_template_kwargs: {enable_thinking: false},
    })
    const version = await collectChat(llm.chat({messages: [user('version?')], responseConstraint: {regex: 'v\\d+\\.\\d+'}}))
    expect(version.structured).toBe('v1.2')
    expect(s.chatRequests()[1]!.body).toMatchObject({structured_outputs: {regex: 'v\\d+\\.\\d+'}, guided_regex: 'v\\d+\\.\\d+'})
    const error = await collectChat(llm.chat({messages: [user('version?')], responseConstraint: {regex: 'v\\d+\\.\\d+'}})).catch((caught: unknown) => caught)
    expect(error).toMatchObject({kind: 'structured_output'})
  })

  it('stops a structured answer early when the streaming validator rejects it', async () => {
    const s = await server()
    s.enqueue({type: 'completion', text: 'Sure! Here is the JSON you asked for', tokenDelayMs: 5})
    const llm = client([s], {structuredRepairs: 0}, {
      streamingValidator: () => ({
        push: (delta) => (delta.trimStart().startsWith('{') ? undefined : `cannot start with ${JSON.stringify(delta)}`),
        end: () => undefined,
      }),
    })
    const seen: ChatEvent[] = []
    const error = await (async () => {
      for await (const event of llm.chat({messages: [user('act')], responseSchema: z.object({})})) seen.push(event)
    })().catch((caught: unknown) => caught)
    expect((error as LlmError).kind).toBe('structured_output')
    expect((error as LlmError).message).toContain('cannot start with "Sure!"')
    expect(seen).toEqual([])
  })

  it('stops at the first byte the native DFA rejects and repairs the answer with the model', async () => {
    const s = await server()
    const schema = z.object({action: z.enum(['edit', 'done']), path: z.string()})
    s.enqueue(
      {type: 'completion', text: '{"action": "dance", "path": "never streamed to the end"}', tokenDelayMs: 2},
      {type: 'completion', text: '{"action": "done", "path": "a.ts"}'},
    )
    const seen: ChatEvent[] = []
    for await (const event of client([s]).chat({messages: [user('act')], responseSchema: schema})) seen.push(event)

    const restart = seen.find((event) => event.type === 'restart')
    expect(restart).toMatchObject({error: {kind: 'structured_output'}})
    expect(seen.find((event) => event.type === 'structured')).toMatchObject({value: {action: 'done', path: 'a.ts'}})
    const repair = s.chatRequests()[1]!.body.messages as {role: string; content: string}[]
    const brokenAnswer = repair.at(-2)!
    expect(brokenAnswer.role).toBe('assistant')
    // The stream was cut at the first wrong byte, not read to the end.
    expect(brokenAnswer.content.startsWith('{"action": "d')).toBe(true)
    expect(brokenAnswer.content).not.toContain('never streamed')
    expect(repair.at(-1)).toMatchObject({role: 'user', content: expect.stringContaining('stopped matching the JSON schema')})
  })

  it('fails with the last error once its repairs are used up', async () => {
    const s = await server()
    s.enqueue({type: 'completion', text: '{"action": "dance"}'}, {type: 'completion', text: '{"action": "jump"}'})
    const error = await collectChat(
      client([s], {structuredRepairs: 1}).chat({messages: [user('act')], responseSchema: z.object({action: z.enum(['edit'])})}),
    ).catch((caught: unknown) => caught)
    expect(error).toMatchObject({kind: 'structured_output'})
    expect(s.chatRequests()).toHaveLength(2)
  })

  it('discovers the served model and its context window, and counts with /tokenize when present', async () => {
    const s = await server({model: 'served-model', maxModelLen: 32768})
    const llm = client([s])
    expect(await llm.model()).toEqual({id: 'served-model', maxModelLen: 32768, ownedBy: 'vllm', version: '0.12.0'})
    expect(await llm.tokenize([user('one two three')])).toBeGreaterThan(0)
    const plain = await server({tokenize: false})
    expect(await client([plain]).tokenize([user('a')])).toBeUndefined()
  })

  it('estimates usage locally when the server sends none, and prices the call', async () => {
    const s = await server({model: 'm'})
    s.enqueue({type: 'completion', text: 'two words', omitUsage: true}, {type: 'completion', text: 'ok', promptTokens: 1000, cachedTokens: 400})
    const llm = client([s], {prices: {m: {inputPerMTok: 1, outputPerMTok: 2, cachedInputPerMTok: 0.5}}})
    const estimated = await collectChat(llm.chat({messages: [user('count me please')]}))
    expect(estimated.usage).toMatchObject({source: 'estimated', completionTokens: 2})
    expect(estimated.usage!.promptTokens).toBeGreaterThan(0)
    expect(estimated.usage!.costUsd).toBeCloseTo((estimated.usage!.promptTokens + 2 * 2) / 1e6, 12)
    const served = await collectChat(llm.chat({messages: [user('count me please')]}))
    expect(served.usage).toMatchObject({source: 'server', promptTokens: 1000, cachedTokens: 400, completionTokens: 1})
    expect(served.usage!.costUsd).toBeCloseTo((600 * 1 + 400 * 0.5 + 1 * 2) / 1e6, 12)
  })
})

describe('structured outputs, in the form each server honours (issue 16)', () => {
  const answer = {type: 'completion' as const, text: JSON.stringify({ok: true})}
  it.each([
    ['vllm', {structured_outputs: {json: expect.objectContaining({type: 'object'})}}],
    ['llama.cpp', {response_format: {type: 'json_object', schema: expect.objectContaining({type: 'object'})}}],
    ['ollama', {response_format: {type: 'json_schema', json_schema: expect.objectContaining({name: 'answer'})}}],
  ] as const)('a %s server is asked in its own form', async (profile, fields) => {
    const s = await server({profile})
    s.enqueue(answer)
    const llm = client([s])
    await collectChat(llm.chat({messages: [{role: 'user', content: 'go'}], responseSchema: z.object({ok: z.boolean()})}))
    expect(s.chatRequests().at(-1)!.body).toMatchObject(fields)
  })

  it('takes the configured form over the server\'s identity', async () => {
    const s = await server({profile: 'vllm', ownedBy: 'me'})
    s.enqueue(answer)
    const llm = client([s], {structuredOutputsField: 'structured_outputs'})
    await collectChat(llm.chat({messages: [{role: 'user', content: 'go'}], responseSchema: z.object({ok: z.boolean()})}))
    expect(s.chatRequests().at(-1)!.body).toHaveProperty('structured_outputs')
  })
})

describe('negotiating the structured-output form behind a proxy (issue 16)', () => {
  it('moves to the next form when the server refuses one, keeps the endpoint up, and remembers what worked', async () => {
    // llama.cpp's server behind a proxy (LiteLLM) that hides who it is: owned_by openai.
    const s = await server({profile: 'llama.cpp', ownedBy: 'openai'})
    s.setHandler(() => ({type: 'completion', text: JSON.stringify({ok: true})}))
    const llm = client([s], {endpointFailureThreshold: 1})
    const ask = () => collectChat(llm.chat({messages: [{role: 'user', content: 'go'}], responseSchema: z.object({ok: z.boolean()})}))
    expect(await ask()).toMatchObject({structured: {ok: true}})
    expect(llm.pool.endpoints[0]!.down).toBe(false)
    expect(await ask()).toMatchObject({structured: {ok: true}})
    const forms = s.chatRequests().map((request) => (request.body as {response_format?: {type?: string}}).response_format?.type)
    expect(forms).toEqual(['json_schema', 'json_object', 'json_object'])
  })

  it('keeps a configured form, and reports the server\'s refusal', async () => {
    const s = await server({ownedBy: 'openai'})
    s.setHandler(() => ({type: 'error', status: 400, message: 'response_format json_schema is not supported'}))
    const llm = client([s], {structuredOutputsField: 'response_format', maxRetries: 0})
    await expect(collectChat(llm.chat({messages: [{role: 'user', content: 'go'}], responseSchema: z.object({ok: z.boolean()})}))).rejects.toThrow('response_format json_schema is not supported')
    expect(s.chatRequests()).toHaveLength(1)
  })
})
