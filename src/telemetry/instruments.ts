/**
 * PyAgent's metric instruments, defined once: the OTLP exporter of a run and a Prometheus
 * `/metrics` endpoint (the fleet's, to come) create them from this table, so both report the
 * same names, units and attributes. GenAI instruments follow the OpenTelemetry semantic conventions.
 */
import type {Counter, Histogram, Meter} from '@opentelemetry/api'

interface InstrumentDefinition {
  kind: 'counter' | 'histogram'
  name: string
  unit: string
  description: string
}

export const INSTRUMENTS = {
  taskDuration: {kind: 'histogram', name: 'pyagent.task.duration', unit: 's', description: 'Wall time of a task, by role and final status'},
  stepDuration: {kind: 'histogram', name: 'pyagent.step.duration', unit: 's', description: 'Wall time of one agent step (a model turn and the tools it called), by role'},
  tokenUsage: {kind: 'histogram', name: 'gen_ai.client.token.usage', unit: '{token}', description: 'Tokens of one LLM call, by gen_ai.token.type (input, output) and model'},
  operationDuration: {kind: 'histogram', name: 'gen_ai.client.operation.duration', unit: 's', description: 'Duration of one LLM call, retries included, by model and error.type'},
  cost: {kind: 'counter', name: 'pyagent.llm.cost', unit: 'USD', description: 'Cost of LLM calls at the configured prices, by model'},
  llmErrors: {kind: 'counter', name: 'pyagent.llm.errors', unit: '{call}', description: 'LLM calls that failed, by error.type (http, rate_limit, connection, timeout, deadline, stream, …)'},
  edits: {kind: 'counter', name: 'pyagent.edits', unit: '{edit}', description: 'Calls of the editing tools, by tool and pyagent.edit.applied; applied over all is the edit-apply rate'},
  droppedSpans: {kind: 'counter', name: 'pyagent.telemetry.dropped_spans', unit: '{span}', description: 'Spans dropped because the export queue was full or the collector failed'},
} as const satisfies Record<string, InstrumentDefinition>

type Instrument<D extends InstrumentDefinition> = D['kind'] extends 'counter' ? Counter : Histogram

export type Instruments = {[K in keyof typeof INSTRUMENTS]: Instrument<(typeof INSTRUMENTS)[K]>}

export function createInstruments(meter: Meter): Instruments {
  const entries = Object.entries(INSTRUMENTS).map(([key, definition]) => {
    const options = {unit: definition.unit, description: definition.description}
    return [key, definition.kind === 'counter' ? meter.createCounter(definition.name, options) : meter.createHistogram(definition.name, options)]
  })
  return Object.fromEntries(entries) as Instruments
}
