/**
 * PyAgent's metric instruments, defined once: the OTLP exporter of a run creates them as
 * OpenTelemetry instruments, the fleet server as prom-client metrics (src/server/metrics.ts), both
 * from this table, so the two report the same measurements under the same names, units and
 * attributes. The Prometheus name is derived mechanically (prometheusName). GenAI instruments follow
 * the OpenTelemetry semantic conventions.
 */
import type {Attributes, Counter, Histogram, Meter} from '@opentelemetry/api'

export interface InstrumentDefinition {
  kind: 'counter' | 'histogram'
  name: string
  unit: string
  description: string
  /** Every attribute a measurement may carry; Prometheus needs its label names up front. */
  attributes: readonly string[]
  /** Histogram bucket bounds, in the instrument's unit. */
  buckets?: readonly number[]
}

const SECONDS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600]
const TOKENS = [16, 64, 256, 1024, 4096, 16384, 65536, 262144]

export const INSTRUMENTS = {
  taskDuration: {kind: 'histogram', name: 'pyagent.task.duration', unit: 's', description: 'Wall time of a task, by role and final status', attributes: ['gen_ai.agent.name', 'pyagent.task.status'], buckets: SECONDS},
  stepDuration: {kind: 'histogram', name: 'pyagent.step.duration', unit: 's', description: 'Wall time of one agent step (a model turn and the tools it called), by role', attributes: ['gen_ai.agent.name'], buckets: SECONDS},
  tokenUsage: {kind: 'histogram', name: 'gen_ai.client.token.usage', unit: '{token}', description: 'Tokens of one LLM call, by gen_ai.token.type (input, output) and model', attributes: ['gen_ai.operation.name', 'gen_ai.request.model', 'gen_ai.token.type'], buckets: TOKENS},
  operationDuration: {kind: 'histogram', name: 'gen_ai.client.operation.duration', unit: 's', description: 'Duration of one LLM call, retries included, by model and error.type', attributes: ['gen_ai.operation.name', 'gen_ai.request.model', 'error.type'], buckets: SECONDS},
  cost: {kind: 'counter', name: 'pyagent.llm.cost', unit: 'USD', description: 'Cost of LLM calls at the configured prices, by model', attributes: ['gen_ai.operation.name', 'gen_ai.request.model']},
  llmErrors: {kind: 'counter', name: 'pyagent.llm.errors', unit: '{call}', description: 'LLM calls that failed, by error.type (http, rate_limit, connection, timeout, deadline, stream, …)', attributes: ['gen_ai.operation.name', 'gen_ai.request.model', 'error.type']},
  edits: {kind: 'counter', name: 'pyagent.edits', unit: '{edit}', description: 'Calls of the editing tools, by tool and pyagent.edit.applied; applied over all is the edit-apply rate', attributes: ['gen_ai.tool.name', 'pyagent.edit.applied']},
  droppedSpans: {kind: 'counter', name: 'pyagent.telemetry.dropped_spans', unit: '{span}', description: 'Spans dropped because the export queue was full or the collector failed', attributes: []},
} as const satisfies Record<string, InstrumentDefinition>

export type InstrumentName = keyof typeof INSTRUMENTS

/** Where measurements go: OpenTelemetry instruments in a run, prom-client metrics in the fleet server, the server's IPC channel in a fleet worker. */
export type Measure = (name: InstrumentName, value: number, attributes?: Attributes) => void

/** Units Prometheus spells out as a name suffix; `{…}` annotations (tokens, calls) have none. */
const UNIT_SUFFIX: Record<string, string> = {s: 'seconds', USD: 'usd'}

/** `pyagent.step.duration` (s) → `pyagent_step_duration_seconds`; a counter ends in `_total`. */
export function prometheusName(definition: InstrumentDefinition): string {
  const suffix = UNIT_SUFFIX[definition.unit]
  const base = [definition.name.replace(/[^a-zA-Z0-9_]/g, '_'), ...(suffix ? [suffix] : [])].join('_')
  return definition.kind === 'counter' ? `${base}_total` : base
}

/** `gen_ai.agent.name` → `gen_ai_agent_name`. */
export const prometheusLabel = (attribute: string) => attribute.replace(/[^a-zA-Z0-9_]/g, '_')

export type Instruments = {[K in InstrumentName]: (typeof INSTRUMENTS)[K]['kind'] extends 'counter' ? Counter : Histogram}

export function createInstruments(meter: Meter): Instruments {
  const entries = Object.entries(INSTRUMENTS).map(([key, definition]) => {
    const options = {unit: definition.unit, description: definition.description, ...('buckets' in definition ? {advice: {explicitBucketBoundaries: [...definition.buckets]}} : {})}
    return [key, definition.kind === 'counter' ? meter.createCounter(definition.name, options) : meter.createHistogram(definition.name, options)]
  })
  return Object.fromEntries(entries) as Instruments
}

/** The OpenTelemetry instruments as a Measure. */
export function measureInto(instruments: Instruments): Measure {
  return (name, value, attributes) => {
    const instrument = instruments[name]
    if ('add' in instrument) instrument.add(value, attributes)
    else instrument.record(value, attributes)
  }
}
