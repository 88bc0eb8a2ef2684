import {describe, expect, it} from 'vitest'

import {findModel} from '../../src/engine/models.js'
import {FIXTURE} from '../agent/harness.js'
import {startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'
import {serve, waitFor} from './support.js'

const entry = await findModel()
if (!entry) console.log('the fleet on the embedded model skipped: no model in the cache (run `node bin/run.js model pull`)')

describe.skipIf(!entry)('pyagent serve with no model server answering and the default model cached', () => {
  it("starts the embedded model once, says so, and its workers' tasks run on it through the server's pool", {timeout: 300_000}, async () => {
    // A URL nothing listens on: a server started and closed again.
    const nobody = await startOpenAiServer()
    await nobody.close()
    const repo = tempRepo(FIXTURE)
    const fleet = await serve(nobody, {workers: 1})
    expect(fleet.output()).toContain(`no server at ${nobody.baseUrl}; using the embedded SmolLM2-135M`)
    const {status, body} = await fleet.api('POST', '/tasks', {body: {repository: repo.root, task: 'Fix add in src/add.js so that it returns the sum.', budgets: {maxSteps: 1}}})
    expect(status).toBe(201)
    const task = await waitFor('the task to end', async () => {
      const found = (await fleet.api('GET', `/tasks/${body.id}`)).body
      return ['done', 'failed', 'interrupted'].includes(found.status) ? found : undefined
    }, 240_000)
    const events = (await fleet.api('GET', `/tasks/${body.id}/events?follow=false`)).body as string
    // The model answered with an action (a tool call), so its step went through the server's /llm/v1 to the embedded engine.
    expect(events).toContain('"type":"tool_call"')
    expect(task.usage.tokens).toBeGreaterThan(0)
    expect(['done', 'failed']).toContain(task.status)
  })
})
