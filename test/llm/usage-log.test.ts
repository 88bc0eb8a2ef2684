import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {openStateAt} from '../../src/state/db.js'
import {LATEST_SCHEMA_VERSION} from '../../src/state/migrations.js'
import {collectChat} from '../../src/llm/collect.js'
import {usageTotals} from '../../src/state/llm-calls.js'
import {sqliteUsageRecorder} from '../../src/llm/usage-log.js'
import {tempDir} from '../support/temp-repo.js'
import {client, server} from './helpers.js'

const messages = [{role: 'user' as const, content: 'go'}]

describe('llm_calls', () => {
  it('records usage, latency and cost of every call, failed ones included', async () => {
    const db = openStateAt(join(tempDir(), 'state.db'))
    try {
      expect(db.pragma('user_version', {simple: true})).toBe(LATEST_SCHEMA_VERSION)
      const s = await server({model: 'm'})
      s.enqueue(
        {type: 'error', status: 500, message: 'hiccup'},
        {type: 'completion', text: 'a b c', promptTokens: 100, cachedTokens: 60},
        {type: 'error', status: 400, message: 'bad request'},
      )
      const llm = client([s], {prices: {m: {inputPerMTok: 10, outputPerMTok: 20}}}, {recordUsage: sqliteUsageRecorder(db)})
      await collectChat(llm.chat({messages}))
      await collectChat(llm.chat({messages})).catch(() => undefined)
      const rows = db.prepare('SELECT * FROM llm_calls ORDER BY id').all() as Record<string, unknown>[]
      expect(rows).toHaveLength(2)
      expect(rows[0]).toMatchObject({
        endpoint: s.baseUrl,
        model: 'm',
        status: 'ok',
        finish_reason: 'stop',
        prompt_tokens: 100,
        completion_tokens: 3,
        cached_tokens: 60,
        usage_source: 'server',
        attempts: 2,
        cost_usd: (100 * 10 + 3 * 20) / 1e6,
      })
      expect(rows[0]!.latency_ms).toBeTypeOf('number')
      expect(rows[0]!.estimated_prompt_tokens).toBeGreaterThan(0)
      expect(rows[1]).toMatchObject({status: 'error', attempts: 1, cost_usd: null})
      expect(rows[1]!.error).toContain('bad request')
      expect(usageTotals(db)).toMatchObject({calls: 2, completionTokens: 3, cachedTokens: 60})
    } finally {
      db.close()
    }
  })

  it('records a call the caller stopped reading as cancelled', async () => {
    const db = openStateAt(join(tempDir(), 'state.db'))
    try {
      const s = await server()
      s.enqueue({type: 'completion', text: 'word '.repeat(100), tokenDelayMs: 2})
      const llm = client([s], {}, {recordUsage: sqliteUsageRecorder(db)})
      for await (const event of llm.chat({messages, taskId: undefined})) if (event.type === 'text') break
      expect(db.prepare('SELECT status, error FROM llm_calls').all()).toEqual([
        {status: 'cancelled', error: 'the caller stopped reading the answer'},
      ])
    } finally {
      db.close()
    }
  })
})
