/** The chat wrapper resolved from a model's template is remembered by its index entry, and a load that uses it answers alike. */
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {EmbeddedEngine} from '../../src/engine/engine.js'
import {findModel, type ModelEntry} from '../../src/engine/models.js'
import {tempDir} from '../support/temp-repo.js'

const entry = await findModel()
if (!entry) console.log('chat-wrapper cache tests skipped: no model in the cache (run `node bin/run.js model pull`)')

const savedCache = process.env.XDG_CACHE_HOME
afterEach(() => {
  process.env.XDG_CACHE_HOME = savedCache
})

/** A cache of its own whose index points at the real model file, without the wrapper learnt. */
function privateCache(model: ModelEntry): string {
  const base = tempDir('pyagent-cache-')
  const dir = join(base, 'pyagent', 'models')
  mkdirSync(dir, {recursive: true})
  const {chatWrapper: _unlearnt, ...rest} = model
  writeFileSync(join(dir, 'index.json'), JSON.stringify({version: 1, models: [rest]}))
  process.env.XDG_CACHE_HOME = base
  return join(dir, 'index.json')
}

describe.skipIf(!entry)('the chat wrapper of a cached model', {timeout: 120_000}, () => {
  it('is resolved once, recorded in the index, and used as recorded by the next load', async () => {
    const index = privateCache(entry!)
    const request = {messages: [{role: 'user' as const, content: 'Say hello.'}], maxTokens: 8, temperature: 0}

    const first = await EmbeddedEngine.load((await findModel())!, {threads: 1})
    const resolved = await first.complete(request)
    await first.close()
    const recorded = JSON.parse(readFileSync(index, 'utf8')).models[0]
    expect(recorded.chatWrapper).toBe('chatML')

    const second = await EmbeddedEngine.load(recorded, {threads: 1})
    const reused = await second.complete(request)
    await second.close()
    expect({text: reused.text, promptTokens: reused.promptTokens}).toEqual({text: resolved.text, promptTokens: resolved.promptTokens})
  })
})
