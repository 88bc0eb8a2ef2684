import {BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor} from '@opentelemetry/sdk-trace-base'
import {describe, expect, it} from 'vitest'

import type {AgentEvent} from '../../src/agent/events.js'
import {TaskTracer} from '../../src/telemetry/task-tracer.js'

describe('TaskTracer', () => {
  it("makes a sub-task's span a child of its parent task's, in the parent's trace, whatever order the events arrive in", () => {
    const exporter = new InMemorySpanExporter()
    const provider = new BasicTracerProvider({spanProcessors: [new SimpleSpanProcessor(exporter)]})
    const tracer = new TaskTracer(provider.getTracer('test'), false)
    const t0 = Date.now()
    const events: [AgentEvent, number][] = [
      [{type: 'task_started', taskId: 'parent', parentId: null, title: 'plan it', role: 'auto', depth: 0}, t0],
      [{type: 'task_started', taskId: 'child', parentId: 'parent', title: 'do it', role: 'coder', depth: 1}, t0 + 1],
      [{type: 'step_started', taskId: 'child', step: 1}, t0 + 2],
      [{type: 'tool_call', taskId: 'child', callId: 'c1', tool: 'read_file', arguments: {path: 'a.js'}}, t0 + 5],
      [{type: 'tool_result', taskId: 'child', callId: 'c1', tool: 'read_file', status: 'ok', output: 'x', truncated: false}, t0 + 6],
      [{type: 'task_finished', taskId: 'child', status: 'done', summary: 'ok'}, t0 + 8],
      [{type: 'task_finished', taskId: 'parent', status: 'done', summary: 'ok'}, t0 + 9],
    ]
    // The child's LLM call is recorded before its task_started reaches the listener.
    tracer.onLlmCall({taskId: 'child', endpoint: 'http://x/v1', model: 'm', status: 'ok', promptTokens: 10, completionTokens: 2, usageSource: 'server', estimatedPromptTokens: 9, attempts: 1, latencyMs: 0.5})
    for (const [event, at] of events) tracer.onEvent(event, at)
    const spans = exporter.getFinishedSpans()
    const named = (name: string) => spans.find((span) => span.name === name)!
    const parent = named('invoke_agent auto')
    const child = named('invoke_agent coder')
    expect(parent.parentSpanContext).toBeUndefined()
    expect(child.parentSpanContext?.spanId).toBe(parent.spanContext().spanId)
    expect(child.spanContext().traceId).toBe(parent.spanContext().traceId)
    expect(named('step 1').parentSpanContext?.spanId).toBe(child.spanContext().spanId)
    expect(named('execute_tool read_file').parentSpanContext?.spanId).toBe(named('step 1').spanContext().spanId)
    expect(named('chat m').attributes).toMatchObject({'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 2})
    expect(child.attributes).toMatchObject({'pyagent.task.steps': 1, 'gen_ai.usage.input_tokens': 10})
    expect(spans.every((span) => !JSON.stringify(span.attributes).includes('do it'))).toBe(true)
  })
})
