import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {collectChat} from '../../src/llm/collect.js'
import {fitMessages} from '../../src/llm/context-window.js'
import type {ChatMessage} from '../../src/llm/types.js'
import {client, server, tokens} from './helpers.js'

const count = (message: ChatMessage) => tokens().countMessage(message)
const system: ChatMessage = {role: 'system', content: 'You are PyAgent.'}
const call = (id: string): ChatMessage => ({
  role: 'assistant',
  content: null,
  tool_calls: [{id, type: 'function', function: {name: 'read_file', arguments: '{"path":"a.ts"}'}}],
})
const output = (id: string, size: number): ChatMessage => ({role: 'tool', tool_call_id: id, content: `line ${id}\n`.repeat(size)})

function conversation(): ChatMessage[] {
  return [
    system,
    {role: 'user', content: 'first task'},
    call('1'),
    output('1', 800),
    {role: 'assistant', content: 'done with that'},
    {role: 'user', content: 'second task'},
    call('2'),
    output('2', 800),
  ]
}

describe('fitMessages', () => {
  it('leaves a conversation that fits untouched', () => {
    const messages = conversation()
    const fitted = fitMessages(messages, {budget: 1e9, count})
    expect(fitted).toMatchObject({fits: true, shortened: 0, dropped: 0})
    expect(fitted.messages).toEqual(messages)
  })

  it('shortens the oldest tool output first', () => {
    const messages = conversation()
    const total = messages.reduce((sum, message) => sum + count(message), 0)
    const fitted = fitMessages(messages, {budget: total - 1000, count})
    expect(fitted).toMatchObject({fits: true, shortened: 1, dropped: 0})
    expect(fitted.messages[3]!.content).toContain('elided to fit the context window')
    expect(fitted.messages[7]).toBe(messages[7])
    expect(fitted.tokens).toBeLessThanOrEqual(total - 1000)
  })

  it('drops the oldest whole turns only after every tool output is shortened', () => {
    const messages = conversation()
    const fitted = fitMessages(messages, {budget: 80, count})
    expect(fitted.fits).toBe(true)
    expect(fitted.messages[0]).toBe(system)
    expect(fitted.messages[1]).toEqual({role: 'user', content: 'second task'})
    expect(fitted.messages.slice(2).map((message) => message.role)).toEqual(['assistant', 'tool'])
    expect(fitted.dropped).toBe(4)
  })

  it('never drops the system prompt or the latest user turn, whatever the budget', () => {
    fc.assert(
      fc.property(fc.integer({min: 0, max: 6000}), (budget) => {
        const messages = conversation()
        const fitted = fitMessages(messages, {budget, count})
        expect(fitted.messages[0]).toBe(system)
        expect(fitted.messages).toContainEqual({role: 'user', content: 'second task'})
        if (fitted.fits) expect(fitted.tokens).toBeLessThanOrEqual(budget)
        // Every tool result still follows the assistant message that called it.
        for (const [index, message] of fitted.messages.entries()) {
          if (message.role === 'tool') expect(fitted.messages[index - 1]?.role).toBe('assistant')
        }
      }),
      {numRuns: 25},
    )
  })
})

describe('context fitting in chat()', () => {
  it('sends a shortened conversation that fits the served max_model_len', async () => {
    const s = await server({maxModelLen: 2048})
    s.enqueue({type: 'completion', text: 'ok'})
    await collectChat(client([s]).chat({messages: conversation()}))
    const sent = s.chatRequests()[0]!.body.messages as ChatMessage[]
    expect(sent[0]).toEqual(system)
    expect(sent.at(-2)).toMatchObject({role: 'assistant'})
    const sentTokens = sent.reduce((sum, message) => sum + count(message), 0)
    expect(sentTokens).toBeLessThanOrEqual(2048 - 512)
  })

  it('refuses, without a request, when the system prompt and latest turn alone overflow', async () => {
    const s = await server({maxModelLen: 64})
    const error = await collectChat(client([s]).chat({messages: [system, {role: 'user', content: 'word '.repeat(500)}]})).catch(
      (caught: unknown) => caught,
    )
    expect(error).toMatchObject({kind: 'context_overflow', retryable: false})
    expect(s.chatRequests()).toHaveLength(0)
  })
})

describe('TokenCounter', () => {
  it('counts with tiktoken and calibrates toward the server\'s counts', async () => {
    const { TokenCounter } = await import('../../src/llm/tokens.js')
    const counter = new TokenCounter('cl100k_base')
    try {
      expect(counter.count('hello world')).toBe(2)
      expect(counter.calibrated(100)).toBe(100)
      for (let i = 0; i < 20; i++) counter.reconcile(100, 130)
      expect(counter.calibrated(100)).toBeGreaterThanOrEqual(129)
      counter.reconcile(100, 100_000)
      expect(counter.calibration).toBeLessThanOrEqual(2)
    } finally {
      counter.free()
    }
    expect(() => counter.count('x')).toThrow(/after free/)
  })
})
