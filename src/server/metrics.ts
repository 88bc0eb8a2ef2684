/**
 * The fleet's Prometheus metrics. What its workers measure of their runs (task and step
 * durations, tokens, call durations, cost, LLM errors by kind, edits) comes from the instrument
 * table a run's OpenTelemetry export uses too (telemetry/instruments.ts), fed by the workers over
 * IPC. The fleet's own state is read when scraped: tasks by status, the queue's depth, the
 * workers, and each LLM endpoint's health, load and what its vLLM /metrics said.
 */
import {Counter, Gauge, Histogram, Registry} from 'prom-client'

import {FLEET_STATUSES} from '../fleet/schemas.js'
import type {FleetStore} from '../fleet/fleet-store.js'
import {INSTRUMENTS, type InstrumentName, type Measure, prometheusLabel, prometheusName} from '../telemetry/instruments.js'
import type {EndpointView} from './llm-endpoints.js'
import type {WorkerView} from './worker-pool.js'

export interface FleetMetrics {
  registry: Registry
  submitted: Counter
  /** A worker's measurement of one of the table's instruments. */
  measure: Measure
}

export interface FleetMetricSources {
  store: FleetStore
  workers(): WorkerView[]
  endpoints(): EndpointView[]
}

/** Every instrument of the table as a prom-client metric under its Prometheus name; returns what records into them. */
export function prometheusInstruments(registry: Registry): Measure {
  const metrics = new Map<InstrumentName, Counter | Histogram>()
  for (const [key, definition] of Object.entries(INSTRUMENTS) as [InstrumentName, (typeof INSTRUMENTS)[InstrumentName]][]) {
    const common = {name: prometheusName(definition), help: definition.description, labelNames: definition.attributes.map(prometheusLabel), registers: [registry]}
    metrics.set(key, definition.kind === 'counter' ? new Counter(common) : new Histogram({...common, buckets: [...definition.buckets]}))
  }
  return (name, value, attributes = {}) => {
    const metric = metrics.get(name)
    if (!metric) return
    const known = new Set<string>(INSTRUMENTS[name].attributes)
    const labels = Object.fromEntries(Object.entries(attributes).filter(([key, label]) => known.has(key) && label !== undefined).map(([key, label]) => [prometheusLabel(key), String(label)]))
    if (metric instanceof Counter) metric.inc(labels, value)
    else metric.observe(labels, value)
  }
}

/**
 * A metric per endpoint, set at scrape time from the endpoints' view (a counter's count is kept
 * there too); a figure the endpoint does not report is left out rather than shown as 0.
 */
function endpointMetric(kind: 'gauge' | 'counter', registry: Registry, sources: FleetMetricSources, name: string, help: string, read: (view: EndpointView) => number | null): void {
  const values = () => sources.endpoints().flatMap((view) => {
    const value = read(view)
    return value === null ? [] : [{labels: {endpoint: view.url}, value}]
  })
  const common = {name, help, labelNames: ['endpoint'], registers: [registry]}
  if (kind === 'gauge') {
    new Gauge({
      ...common,
      collect() {
        this.reset()
        for (const {labels, value} of values()) this.set(labels, value)
      },
    })
  } else {
    new Counter({
      ...common,
      collect() {
        this.reset()
        for (const {labels, value} of values()) this.inc(labels, value)
      },
    })
  }
}

export function fleetMetrics(sources: FleetMetricSources): FleetMetrics {
  const {store} = sources
  const registry = new Registry()
  new Gauge({
    name: 'pyagent_fleet_tasks',
    help: 'Fleet tasks by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const counts = await store.countByStatus()
      for (const status of FLEET_STATUSES) this.set({status}, counts[status])
    },
  })
  new Gauge({
    name: 'pyagent_fleet_queue_depth',
    help: 'Fleet tasks waiting for a worker',
    registers: [registry],
    async collect() {
      this.set((await store.countByStatus()).queued)
    },
  })
  new Gauge({
    name: 'pyagent_fleet_workers',
    help: 'Worker processes of this server: busy (running a task), idle, or down (being restarted)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const workers = sources.workers()
      this.set({state: 'busy'}, workers.filter((worker) => worker.pid !== null && worker.task !== null).length)
      this.set({state: 'idle'}, workers.filter((worker) => worker.pid !== null && worker.task === null).length)
      this.set({state: 'down'}, workers.filter((worker) => worker.pid === null).length)
    },
  })
  const submitted = new Counter({name: 'pyagent_fleet_tasks_submitted_total', help: 'Fleet tasks submitted', registers: [registry]})
  endpointMetric('gauge', registry, sources, 'pyagent_llm_endpoint_up', '1 while the LLM endpoint takes requests, 0 while it is set aside after failing', (view) => (view.up ? 1 : 0))
  endpointMetric('gauge', registry, sources, 'pyagent_llm_endpoint_outstanding_requests', 'Requests of all workers in flight at the LLM endpoint', (view) => view.outstanding)
  endpointMetric('counter', registry, sources, 'pyagent_llm_endpoint_requests_total', 'Requests the fleet sent the LLM endpoint', (view) => view.requests)
  endpointMetric('counter', registry, sources, 'pyagent_llm_endpoint_failed_requests_total', 'Requests the LLM endpoint failed (no connection, 5xx, cut short)', (view) => view.failedRequests)
  endpointMetric('gauge', registry, sources, 'pyagent_vllm_kv_cache_usage_ratio', "vLLM's KV-cache blocks in use, 0 to 1 (paged attention), from its /metrics", (view) => view.vllm.kvCacheUsage)
  endpointMetric('gauge', registry, sources, 'pyagent_vllm_prefix_cache_hit_ratio', "vLLM's prefix-cache hits over queries (tokens) since the previous scrape", (view) => view.vllm.prefixCacheHitRate)
  endpointMetric('gauge', registry, sources, 'pyagent_vllm_spec_decode_acceptance_ratio', "vLLM's speculative decoding: accepted over drafted tokens since the previous scrape", (view) => view.vllm.specDecodeAcceptanceRate)
  endpointMetric('gauge', registry, sources, 'pyagent_vllm_requests_running', 'Requests vLLM is running', (view) => view.vllm.requestsRunning)
  endpointMetric('gauge', registry, sources, 'pyagent_vllm_requests_waiting', "Requests waiting in vLLM's queue", (view) => view.vllm.requestsWaiting)
  return {registry, submitted, measure: prometheusInstruments(registry)}
}
