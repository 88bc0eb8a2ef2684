import {ExportResultCode} from '@opentelemetry/core'
import {BasicTracerProvider, type ReadableSpan, type SpanExporter} from '@opentelemetry/sdk-trace-base'
import {describe, expect, it} from 'vitest'

import {BoundedSpanProcessor} from '../../src/telemetry/bounded-export.js'

describe('BoundedSpanProcessor', () => {
  it('drops and counts the spans that find the queue full while the collector hangs, and never waits for it', async () => {
    const taken: ReadableSpan[] = []
    const hanging: SpanExporter = {export: (spans) => void taken.push(...spans), shutdown: async () => {}}
    let dropped = 0
    const processor = new BoundedSpanProcessor(hanging, {maxQueueSize: 4, maxExportBatchSize: 2, scheduledDelayMillis: 5, exportTimeoutMillis: 50, onDropped: (count) => (dropped += count)})
    const tracer = new BasicTracerProvider({spanProcessors: [processor]}).getTracer('test')
    const started = performance.now()
    for (let index = 0; index < 20; index++) tracer.startSpan(`span ${index}`).end()
    expect(performance.now() - started).toBeLessThan(500)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(dropped).toBeGreaterThanOrEqual(20 - 4 - taken.length)
    expect(dropped + taken.length).toBeLessThanOrEqual(20)
  })

  it('counts the spans of a batch the collector refused', async () => {
    const refusing: SpanExporter = {export: (_spans, done) => done({code: ExportResultCode.FAILED}), shutdown: async () => {}}
    let dropped = 0
    const processor = new BoundedSpanProcessor(refusing, {maxQueueSize: 100, maxExportBatchSize: 10, scheduledDelayMillis: 5, exportTimeoutMillis: 50, onDropped: (count) => (dropped += count)})
    const tracer = new BasicTracerProvider({spanProcessors: [processor]}).getTracer('test')
    for (let index = 0; index < 7; index++) tracer.startSpan(`span ${index}`).end()
    await expect(processor.forceFlush()).rejects.toThrow(/export failed/)
    expect(dropped).toBe(7)
  })
})
