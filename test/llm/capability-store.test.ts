/** Issue 16: what a server was found to need is kept by its identity, so the next run asks right at once. */
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {z} from 'zod'

import {sqliteCapabilityStore} from '../../src/llm/capability-store.js'
import {collectChat} from '../../src/llm/collect.js'
import {openStateAt} from '../../src/state/db.js'
import {tempDir} from '../support/temp-repo.js'
import {client, server} from './helpers.js'

const ask = {messages: [{role: 'user' as const, content: 'go'}], responseSchema: z.object({ok: z.boolean()})}
const formsOf = (requests: {body: unknown}[]) => requests.map((request) => (request.body as {response_format?: {type?: string}}).response_format?.type)

describe('server capabilities in the state database', () => {
  it('a later client asks in the form an earlier one negotiated, and a different server is asked afresh', async () => {
    const path = join(tempDir(), 'state.db')
    const s = await server({profile: 'llama.cpp', ownedBy: 'openai'})
    s.setHandler(() => ({type: 'completion', text: JSON.stringify({ok: true})}))
    for (let run = 0; run < 2; run++) {
      const db = openStateAt(path)
      try {
        await collectChat(client([s], {}, {capabilities: sqliteCapabilityStore(db)}).chat(ask))
      } finally {
        db.close()
      }
    }
    expect(formsOf(s.chatRequests())).toEqual(['json_schema', 'json_object', 'json_object'])

    const other = await server({profile: 'ollama', ownedBy: 'openai'})
    other.setHandler(() => ({type: 'completion', text: JSON.stringify({ok: true})}))
    const db = openStateAt(path)
    try {
      await collectChat(client([other], {}, {capabilities: sqliteCapabilityStore(db)}).chat(ask))
    } finally {
      db.close()
    }
    expect(formsOf(other.chatRequests())).toEqual(['json_schema'])
  })
})

describe('server identity', () => {
  it('includes the version a server reports (vLLM\'s /version), and does without where there is none', async () => {
    const vllm = await server({profile: 'vllm'})
    const llamaCpp = await server({profile: 'llama.cpp'})
    expect(await client([vllm]).model()).toMatchObject({ownedBy: 'vllm', version: '0.12.0'})
    expect(await client([llamaCpp]).model()).not.toHaveProperty('version')
  })
})
