/**
 * The fleet's LLM endpoints, held by the server for all its workers: one EndpointPool (least
 * outstanding requests across every worker, conversation affinity, failing endpoints set aside
 * and probed), what each endpoint's Prometheus /metrics said at the last scrape, and the
 * requests the proxy sent each. Workers reach the pool through llm-proxy.ts.
 */
import {z} from 'zod'

import {type Endpoint, EndpointPool} from '../llm/pool.js'
import {parseVllmMetrics, type VllmFigures, vllmFigures, type VllmSample} from './vllm-metrics.js'

const SCRAPE_TIMEOUT_MS = 5_000

const figure = z.number().nullable()

export const endpointViewSchema = z.object({
  url: z.string().describe('The endpoint\'s /v1 base URL'),
  up: z.boolean().describe('false while the endpoint is set aside after failing; it is probed and rejoins when it answers'),
  outstanding: z.int().nonnegative().describe('Requests of every worker in flight there now'),
  requests: z.int().nonnegative().describe('Requests the server has sent there since it started'),
  failedRequests: z.int().nonnegative().describe('Of those, the ones the endpoint failed (no connection, 5xx, cut short)'),
  lastError: z.string().nullable(),
  scrapedAt: z.iso.datetime().nullable().describe('When its /metrics was last read'),
  scrapeError: z.string().nullable().describe('Why the last read of its /metrics failed (not vLLM, unreachable, …)'),
  vllm: z
    .object({
      kvCacheUsage: figure.describe('Share of KV-cache blocks in use, 0 to 1 (paged attention)'),
      prefixCacheHitRate: figure.describe('Prefix-cache hits over queries in tokens, over the last scrape interval (else since start)'),
      specDecodeAcceptanceRate: figure.describe('Speculative decoding: accepted over drafted tokens, over the last interval (else since start)'),
      requestsRunning: figure,
      requestsWaiting: figure,
    })
    .describe('From the endpoint\'s /metrics; null where it does not report the figure'),
})

export const endpointListSchema = z.object({endpoints: z.array(endpointViewSchema)})

export type EndpointView = z.infer<typeof endpointViewSchema>

interface Scrape {
  at: number
  sample?: VllmSample
  figures?: VllmFigures
  error?: string
}

export interface FleetEndpointsOptions {
  urls: readonly string[]
  failureThreshold: number
  probeIntervalMs: number
  scrapeIntervalMs: number
  /** Sent upstream as the bearer token; the workers' own never is. */
  apiKey: string
}

const NO_FIGURES: VllmFigures = {kvCacheUsage: null, prefixCacheHitRate: null, specDecodeAcceptanceRate: null, requestsRunning: null, requestsWaiting: null}

export class FleetEndpoints {
  readonly pool: EndpointPool
  readonly apiKey: string
  private readonly scrapes = new Map<Endpoint, Scrape>()
  private readonly counts = new Map<Endpoint, {requests: number; failed: number}>()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly options: FleetEndpointsOptions) {
    this.pool = new EndpointPool(options.urls, {failureThreshold: options.failureThreshold, probeIntervalMs: options.probeIntervalMs})
    this.apiKey = options.apiKey
    for (const endpoint of this.pool.endpoints) this.counts.set(endpoint, {requests: 0, failed: 0})
  }

  start(): void {
    void this.scrape()
    this.timer = setInterval(() => void this.scrape(), this.options.scrapeIntervalMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  /** Counts a request the proxy finished there, and how it ended. */
  counted(endpoint: Endpoint, failed: boolean): void {
    const counts = this.counts.get(endpoint)!
    counts.requests++
    if (failed) counts.failed++
  }

  /** Reads every endpoint's /metrics once; a failure is recorded on the endpoint, never thrown. */
  async scrape(): Promise<void> {
    await Promise.all(
      this.pool.endpoints.map(async (endpoint) => {
        const before = this.scrapes.get(endpoint)?.sample
        try {
          const response = await fetch(`${endpoint.root}/metrics`, {headers: {authorization: `Bearer ${this.apiKey}`}, signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS)})
          if (!response.ok) {
            await response.body?.cancel()
            throw new Error(`its /metrics answered HTTP ${response.status}`)
          }
          const sample = parseVllmMetrics(await response.text())
          this.scrapes.set(endpoint, {at: Date.now(), sample, figures: vllmFigures(sample, before)})
        } catch (error) {
          const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${SCRAPE_TIMEOUT_MS / 1000} s` : (error as Error).message
          this.scrapes.set(endpoint, {at: Date.now(), ...(before ? {sample: before} : {}), error: `reading ${endpoint.root}/metrics failed: ${reason}`})
        }
      }),
    )
  }

  view(): EndpointView[] {
    return this.pool.endpoints.map((endpoint) => {
      const scrape = this.scrapes.get(endpoint)
      const counts = this.counts.get(endpoint)!
      return {
        url: endpoint.url,
        up: !endpoint.down,
        outstanding: endpoint.outstanding,
        requests: counts.requests,
        failedRequests: counts.failed,
        lastError: endpoint.lastError ?? null,
        scrapedAt: scrape ? new Date(scrape.at).toISOString() : null,
        scrapeError: scrape?.error ?? null,
        vllm: scrape?.error ? NO_FIGURES : (scrape?.figures ?? NO_FIGURES),
      }
    })
  }
}
