/**
 * Keeps a slow or absent collector from costing a task anything: spans wait in a queue of
 * fixed size and are exported in batches off the task's path; a span that finds the queue full,
 * or whose batch the collector refused, is dropped and counted instead.
 */
import type {Context} from '@opentelemetry/api'
import {type ExportResult, ExportResultCode} from '@opentelemetry/core'
import {BatchSpanProcessor, type ReadableSpan, type Span, type SpanExporter, type SpanProcessor} from '@opentelemetry/sdk-trace-base'

export interface BoundedExportOptions {
  maxQueueSize: number
  maxExportBatchSize: number
  scheduledDelayMillis: number
  exportTimeoutMillis: number
  onDropped(count: number): void
}

export class BoundedSpanProcessor implements SpanProcessor {
  private readonly batch: BatchSpanProcessor
  /** Spans handed to the batch processor that its exporter has not taken yet. */
  private queued = 0

  constructor(
    exporter: SpanExporter,
    private readonly options: BoundedExportOptions,
  ) {
    const counted: SpanExporter = {
      export: (spans, done) => {
        this.queued -= spans.length
        exporter.export(spans, (result: ExportResult) => {
          if (result.code !== ExportResultCode.SUCCESS) options.onDropped(spans.length)
          done(result)
        })
      },
      shutdown: () => exporter.shutdown(),
      forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    }
    this.batch = new BatchSpanProcessor(counted, options)
  }

  onStart(span: Span, parentContext: Context): void {
    this.batch.onStart(span, parentContext)
  }

  onEnd(span: ReadableSpan): void {
    if (this.queued >= this.options.maxQueueSize) {
      this.options.onDropped(1)
      return
    }
    this.queued++
    this.batch.onEnd(span)
  }

  forceFlush(): Promise<void> {
    return this.batch.forceFlush()
  }

  shutdown(): Promise<void> {
    return this.batch.shutdown()
  }
}
