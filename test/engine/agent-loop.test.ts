import {describe, expect, it, onTestFinished} from 'vitest'

import type {AgentEvent} from '../../src/agent/events.js'
import {EventBus} from '../../src/agent/events.js'
import {actionSchema} from '../../src/agent/prompt.js'
import {roleNamed} from '../../src/agent/roles.js'
import {runTask} from '../../src/agent/run-task.js'
import {openServices} from '../../src/app/services.js'
import {configSchema} from '../../src/config/schema.js'
import {EmbeddedEngine, type EngineResult} from '../../src/engine/engine.js'
import {findModel} from '../../src/engine/models.js'
import {serveModel} from '../../src/engine/server.js'
import {FIXTURE} from '../agent/harness.js'
import {tempRepo} from '../support/temp-repo.js'

// The real default model: CI pulls it once with `node bin/run.js model pull`.
const entry = await findModel()
if (!entry) console.log('agent loop on the embedded model skipped: no model in the cache (run `node bin/run.js model pull`)')

describe.skipIf(!entry)('the agent loop on the embedded SmolLM2, JSON actions under the token masks', () => {
  it('answers every step with an action the loop accepts, and ends within its budget', {timeout: 240_000}, async () => {
    const engine = await EmbeddedEngine.load(entry!)
    onTestFinished(() => engine.close())
    const answers: EngineResult[] = []
    const server = await serveModel({
      name: engine.name,
      contextSize: engine.contextSize,
      complete: async (request) => {
        const result = await engine.complete(request)
        if (request.jsonSchema) answers.push(result)
        return result
      },
    })
    onTestFinished(() => server.close())

    const repo = tempRepo(FIXTURE)
    // One answer per step: no repair round could hide an invalid answer.
    const config = configSchema.parse({baseUrl: server.url, model: engine.name, actionProtocol: 'json', maxRetries: 0, structuredRepairs: 0})
    const services = await openServices(repo.root, config)
    onTestFinished(() => services.close())
    const events: AgentEvent[] = []
    const bus = new EventBus(services.db, services.redact)
    bus.on((event) => events.push(event))
    const outcome = await runTask(
      {...services, bus},
      {
        task: 'Fix add in src/add.js so that it returns the sum, then finish.',
        role: 'coder',
        priority: 'normal',
        budget: {maxSteps: 3, maxTokens: 1e6, maxCostUsd: 0, timeoutSec: 600},
        settings: {protocol: 'json', allowedCommands: ['node'], testCommand: 'node test.js', benchmarkCommand: undefined, perfMarginPct: 5, maxRevisions: 0, commandTimeoutMs: 30_000, constrainEditSearch: true, memory: true},
        concurrency: 1,
        maxDepth: 1,
        signal: new AbortController().signal,
        approve: async () => true,
      },
    )

    const actions = actionSchema(roleNamed('coder').tools)
    const steps = answers.filter((answer) => actions.safeParse(JSON.parse(answer.text)).success)
    expect(steps.length).toBeGreaterThan(0)
    // Every step's answer became a tool call: the loop never had to say "that was not a valid action".
    expect(events.filter((event) => event.type === 'tool_call')).toHaveLength(steps.length)
    // Answers other than actions are the critic's verdicts; they too are valid JSON under their schema.
    for (const answer of answers) expect(() => JSON.parse(answer.text)).not.toThrow()
    // Jump-forward: the keys and punctuation the schema fixes were fed, not sampled.
    for (const answer of answers) expect(answer.sampledTokens).toBeLessThan(answer.completionTokens)
    // Whatever the small model chose, the run ended by the loop's own rules, not by an error.
    expect(['done', 'budget_exhausted', 'rejected', 'failed']).toContain(outcome.status)
    if (outcome.status === 'failed') expect(outcome.summary).toMatch(/tests still fail/)
    expect(events.at(-1)).toMatchObject({type: 'task_finished', status: outcome.status})
  })
})
