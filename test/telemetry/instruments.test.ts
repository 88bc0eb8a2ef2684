import {MeterProvider, MetricReader} from '@opentelemetry/sdk-metrics'
import {Registry} from 'prom-client'
import {describe, expect, it} from 'vitest'

import type {AgentEvent} from '../../src/agent/events.js'
import {prometheusInstruments} from '../../src/server/metrics.js'
import {createInstruments, INSTRUMENTS, type InstrumentName, measureInto, prometheusLabel, prometheusName} from '../../src/telemetry/instruments.js'
import {TaskMetrics} from '../../src/telemetry/task-metrics.js'

class CollectingReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const names = Object.keys(INSTRUMENTS) as InstrumentName[]
const everyAttribute = (name: InstrumentName) => Object.fromEntries(INSTRUMENTS[name].attributes.map((attribute) => [attribute, 'x']))

describe('the instrument table', () => {
  it('makes every instrument both an OpenTelemetry instrument and a prom-client metric, with the same unit, help and attributes, and nothing besides', async () => {
    const reader = new CollectingReader()
    const measureOtel = measureInto(createInstruments(new MeterProvider({readers: [reader]}).getMeter('test')))
    const registry = new Registry()
    const measureProm = prometheusInstruments(registry)
    for (const name of names) {
      measureOtel(name, 1, everyAttribute(name))
      measureProm(name, 1, everyAttribute(name))
    }

    const {resourceMetrics} = await reader.collect()
    const otel = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics)
    expect(otel.map((metric) => metric.descriptor.name).sort()).toEqual(names.map((name) => INSTRUMENTS[name].name).sort())
    const prom = await registry.getMetricsAsJSON()
    expect(prom.map((metric) => metric.name).sort()).toEqual(names.map((name) => prometheusName(INSTRUMENTS[name])).sort())

    for (const name of names) {
      const definition = INSTRUMENTS[name]
      const inOtel = otel.find((metric) => metric.descriptor.name === definition.name)!
      expect({unit: inOtel.descriptor.unit, description: inOtel.descriptor.description}).toEqual({unit: definition.unit, description: definition.description})
      expect(Object.keys(inOtel.dataPoints[0]!.attributes).sort()).toEqual([...definition.attributes].sort())
      const inProm = prom.find((metric) => metric.name === prometheusName(definition))!
      expect({type: inProm.type, help: inProm.help}).toEqual({type: definition.kind, help: definition.description})
      const labels = inProm.values.find((value) => !String(value.metricName ?? '').endsWith('_bucket'))!.labels
      expect(Object.keys(labels).sort()).toEqual(definition.attributes.map(prometheusLabel).sort())
    }
  })

  it('maps names to Prometheus conventions mechanically: dots to underscores, the unit spelled out, counters ending in _total', () => {
    expect(prometheusName(INSTRUMENTS.stepDuration)).toBe('pyagent_step_duration_seconds')
    expect(prometheusName(INSTRUMENTS.tokenUsage)).toBe('gen_ai_client_token_usage')
    expect(prometheusName(INSTRUMENTS.cost)).toBe('pyagent_llm_cost_usd_total')
    expect(prometheusName(INSTRUMENTS.llmErrors)).toBe('pyagent_llm_errors_total')
    expect(prometheusLabel('gen_ai.agent.name')).toBe('gen_ai_agent_name')
  })

  it('measures step and task durations from the events, edits applied or not, and tokens, cost and errors from the call records', () => {
    const seen: [string, number, Record<string, unknown>][] = []
    const metrics = new TaskMetrics((name, value, attributes = {}) => seen.push([name, value, attributes]))
    const events: [AgentEvent, number][] = [
      [{type: 'task_started', taskId: 't', parentId: null, title: 'x', role: 'coder', depth: 0}, 0],
      [{type: 'step_started', taskId: 't', step: 1}, 1_000],
      [{type: 'tool_result', taskId: 't', callId: 'c', tool: 'edit', status: 'error', output: 'no match', truncated: false}, 2_000],
      [{type: 'step_started', taskId: 't', step: 2}, 3_000],
      [{type: 'task_finished', taskId: 't', status: 'done', summary: 'ok'}, 7_000],
    ]
    for (const [event, at] of events) metrics.onEvent(event, at)
    metrics.onLlmCall({taskId: 't', endpoint: 'e', model: 'm', status: 'error', errorKind: 'timeout', promptTokens: 10, completionTokens: 0, usageSource: 'estimated', estimatedPromptTokens: 10, attempts: 2, latencyMs: 500, costUsd: 0.5})
    expect(seen).toEqual([
      ['edits', 1, {'gen_ai.tool.name': 'edit', 'pyagent.edit.applied': false}],
      ['stepDuration', 2, {'gen_ai.agent.name': 'coder'}],
      ['stepDuration', 4, {'gen_ai.agent.name': 'coder'}],
      ['taskDuration', 7, {'gen_ai.agent.name': 'coder', 'pyagent.task.status': 'done'}],
      ['tokenUsage', 10, {'gen_ai.request.model': 'm', 'gen_ai.operation.name': 'chat', 'gen_ai.token.type': 'input'}],
      ['tokenUsage', 0, {'gen_ai.request.model': 'm', 'gen_ai.operation.name': 'chat', 'gen_ai.token.type': 'output'}],
      ['operationDuration', 0.5, {'gen_ai.request.model': 'm', 'gen_ai.operation.name': 'chat', 'error.type': 'timeout'}],
      ['cost', 0.5, {'gen_ai.request.model': 'm', 'gen_ai.operation.name': 'chat'}],
      ['llmErrors', 1, {'gen_ai.request.model': 'm', 'gen_ai.operation.name': 'chat', 'error.type': 'timeout'}],
    ])
  })
})
