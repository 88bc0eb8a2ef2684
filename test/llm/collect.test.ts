import {describe, expect, it} from 'vitest'

import {collectChat} from '../../src/llm/collect.js'
import type {ChatEvent} from '../../src/llm/types.js'

async function* events(list: ChatEvent[]): AsyncIterable<ChatEvent> {
  yield* list
}

const call = (id: string) => ({id, name: 'read_file', argumentsText: '{"path":"a"}', arguments: {ok: true, value: {path: 'a'}}}) as never
const finish = {type: 'finish', reason: 'tool_calls', endpoint: 'e', model: 'm', attempts: 2, latencyMs: 1} as ChatEvent

describe('collectChat', () => {
  it('keeps nothing of an attempt the client restarted: text, tool calls and structured value', async () => {
    const seen: string[] = []
    const result = await collectChat(
      events([
        {type: 'text', delta: 'half'},
        {type: 'tool_call', call: call('first')},
        {type: 'structured', value: {stale: true}},
        {type: 'restart', attempt: 2, error: new Error('dropped')} as never,
        {type: 'text', delta: 'whole'},
        {type: 'tool_call', call: call('second')},
        finish,
      ]),
      {onText: (delta) => seen.push(delta)},
    )
    expect(result.text).toBe('whole')
    expect(result.toolCalls.map((toolCall) => toolCall.id)).toEqual(['second'])
    expect(result.structured).toBeUndefined()
    expect(result.restarts).toBe(1)
    expect(seen).toEqual(['half', 'whole'])
  })
})
