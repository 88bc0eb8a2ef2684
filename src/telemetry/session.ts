/**
 * The OpenTelemetry SDK for one run: a tracer and a meter exporting over OTLP/HTTP, and the
 * listener that feeds them. Imported only when telemetry is on (telemetry/target.ts): loading
 * the SDK is kept off the start-up path of every other run and command. The providers are the
 * run's own, never registered process-wide.
 */
import {OTLPMetricExporter} from '@opentelemetry/exporter-metrics-otlp-http'
import {OTLPTraceExporter} from '@opentelemetry/exporter-trace-otlp-http'
import {resourceFromAttributes} from '@opentelemetry/resources'
import {MeterProvider, PeriodicExportingMetricReader} from '@opentelemetry/sdk-metrics'
import {BasicTracerProvider} from '@opentelemetry/sdk-trace-base'

import {BoundedSpanProcessor} from './bounded-export.js'
import {createInstruments, measureInto} from './instruments.js'
import type {TelemetryTarget} from './target.js'
import {allListeners, type RunListener, TaskMetrics} from './task-metrics.js'
import {type QueueWait, TaskTracer} from './task-tracer.js'

/** An export that takes longer than this is given up (and its spans counted as dropped). */
const EXPORT_TIMEOUT_MS = 2000
/** The longest a finished run waits for its last spans and metrics to leave. */
const SHUTDOWN_TIMEOUT_MS = 3000

export interface TelemetrySession {
  /** The trace and the metrics, fed by the run's events and LLM calls. */
  listener: RunListener
  /** Flushes what is left and stops; resolves within SHUTDOWN_TIMEOUT_MS whatever the collector does. */
  shutdown(): Promise<{droppedSpans: number}>
}

/** `queued`: the run is a fleet task, whose trace begins with its wait in the queue. */
export function startTelemetry(target: TelemetryTarget, queued?: QueueWait, env: NodeJS.ProcessEnv = process.env): TelemetrySession {
  const resource = resourceFromAttributes({'service.name': env.OTEL_SERVICE_NAME?.trim() || 'pyagent'})
  let droppedSpans = 0
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({timeoutMillis: EXPORT_TIMEOUT_MS, ...(target.metricsUrl ? {url: target.metricsUrl} : {})}),
        exportTimeoutMillis: EXPORT_TIMEOUT_MS,
      }),
    ],
  })
  const instruments = createInstruments(meterProvider.getMeter('pyagent'))
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: [
      new BoundedSpanProcessor(new OTLPTraceExporter({timeoutMillis: EXPORT_TIMEOUT_MS, ...(target.tracesUrl ? {url: target.tracesUrl} : {})}), {
        maxQueueSize: 2048,
        maxExportBatchSize: 512,
        scheduledDelayMillis: 1000,
        exportTimeoutMillis: EXPORT_TIMEOUT_MS,
        onDropped: (count) => {
          droppedSpans += count
          instruments.droppedSpans.add(count)
        },
      }),
    ],
  })
  const tracer = new TaskTracer(tracerProvider.getTracer('pyagent'), target.content, queued)
  return {
    listener: allListeners([tracer, new TaskMetrics(measureInto(instruments))]),
    async shutdown() {
      const stopped = Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()])
      let timer: NodeJS.Timeout | undefined
      await Promise.race([stopped, new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_TIMEOUT_MS)))])
      clearTimeout(timer)
      return {droppedSpans}
    },
  }
}
