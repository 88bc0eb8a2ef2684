import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {FIXTURE} from '../agent/harness.js'
import {editAdd, editGreet, finish, readEvents, scriptedByTask, serve, slow} from '../fleet/support.js'
import {type Collector, collectorBinary, receivedSpans, startCollector} from '../support/collector.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'

const binary = await collectorBinary()
let model: OpenAiTestServer
let collector: Collector | undefined

beforeAll(async () => {
  model = await startOpenAiServer()
  if (binary) collector = await startCollector(binary)
}, 60_000)
afterAll(async () => {
  await collector?.stop()
  await model.close()
})

describe("a fleet task's trace, in a real collector", {timeout: 120_000}, () => {
  it.skipIf(!binary)('begins at submission: a fleet_task span holds the queue_wait (submitted until claimed) and then the agent\'s task', async () => {
    model.setHandler(
      scriptedByTask({
        'TASK-FIRST': {steps: [slow(editAdd, 30), finish('add adds')]},
        'TASK-QUEUED': {steps: [editGreet, finish('greet says hello')]},
      }),
    )
    const repo = tempRepo({...FIXTURE, 'test.js': "console.log('all tests pass')\n"})
    // One worker: the second task waits in the queue while the first runs.
    const fleet = await serve(model, {workers: 1, env: {OTEL_EXPORTER_OTLP_ENDPOINT: collector!.endpoint}})
    const first = (await fleet.api('POST', '/tasks', {body: {repository: repo.root, task: 'TASK-FIRST: fix add'}})).body
    const queued = (await fleet.api('POST', '/tasks', {body: {repository: repo.root, task: 'TASK-QUEUED: fix greet'}})).body
    for (const task of [first, queued]) expect((await readEvents(fleet.url, task.id)).ended).toBe('done')

    const output = await collector!.waitFor((text) => receivedSpans(text).filter((span) => span.name === 'fleet_task').length === 2 && text.includes(queued.id))
    const spans = receivedSpans(output)
    const traceOf = (fleetTaskId: string) => {
      const root = spans.find((span) => span.name === 'fleet_task' && span.attributes['pyagent.fleet.task.id'] === fleetTaskId)!
      const inTrace = spans.filter((span) => span.traceId === root.traceId)
      return {root, wait: inTrace.find((span) => span.name === 'queue_wait')!, agent: inTrace.find((span) => span.name.startsWith('invoke_agent') && span.parentId === root.id)!, inTrace}
    }
    const firstTrace = traceOf(first.id)
    const queuedTrace = traceOf(queued.id)
    for (const {root, wait, agent, inTrace} of [firstTrace, queuedTrace]) {
      expect(root.parentId).toBe('')
      expect(wait.parentId).toBe(root.id)
      expect(agent).toBeDefined()
      expect(wait.start).toBe(root.start)
      expect(wait.end).toBeLessThanOrEqual(agent.start)
      expect(agent.end).toBeLessThanOrEqual(root.end)
      expect(inTrace.some((span) => span.name.startsWith('chat '))).toBe(true)
      expect(inTrace.some((span) => span.name === 'step 1')).toBe(true)
    }
    // The queued task's wait covers the first task's run: it was claimed only once the one worker was free.
    expect(queuedTrace.wait.end).toBeGreaterThan(firstTrace.agent.start)
    expect(queuedTrace.wait.start).toBe(BigInt(Date.parse(queued.createdAt)) * 1_000_000n)
  })
})
