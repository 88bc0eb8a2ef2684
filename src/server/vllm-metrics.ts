/**
 * What a vLLM server's Prometheus `/metrics` says about its paged attention (KV-cache usage),
 * prefix caching (hits over queries), speculative decoding (accepted over drafted tokens) and its
 * queue (requests running and waiting). Names are vLLM's: the V1 engine's (0.8 on) first, the V0
 * engine's where V1 has none. A server that is not vLLM simply has none of them: every figure is
 * then null, never a guess. Series of several engines (data parallel) or models are summed, the
 * KV-cache usage averaged.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format'

/** Cumulative counters and current gauges as read in one scrape. */
export interface VllmSample {
  kvCacheUsage: number | null
  prefixCacheQueries: number | null
  prefixCacheHits: number | null
  /** V0's own hit rate gauge, used when the counters are missing. */
  prefixCacheHitRateGauge: number | null
  specDraftTokens: number | null
  specAcceptedTokens: number | null
  /** V0's own acceptance rate gauge, used when the counters are missing. */
  specAcceptanceRateGauge: number | null
  requestsRunning: number | null
  requestsWaiting: number | null
}

export interface VllmFigures {
  /** Share of the KV-cache blocks in use, 0 to 1 (paged attention). */
  kvCacheUsage: number | null
  /** Prefix-cache hits over queries, in tokens: over the last scrape interval when it saw queries, else since the server started. */
  prefixCacheHitRate: number | null
  /** Speculative decoding: accepted over drafted tokens, over the interval when it drafted, else since start. */
  specDecodeAcceptanceRate: number | null
  requestsRunning: number | null
  requestsWaiting: number | null
}

type Families = Map<string, number[]>

/** Sample values by family name, a counter's `_total` dropped so that either spelling is found. */
function families(text: string): Families {
  const found: Families = new Map()
  for (const family of parsePrometheusTextFormat(text)) {
    const name = family.type === 'COUNTER' ? family.name.replace(/_total$/, '') : family.name
    const values = family.metrics.map((sample) => Number(sample.value)).filter((value) => Number.isFinite(value))
    if (values.length > 0) found.set(name, values)
  }
  return found
}

const sum = (values: number[] | undefined) => (values ? values.reduce((total, value) => total + value, 0) : null)
const mean = (values: number[] | undefined) => (values ? sum(values)! / values.length : null)

function first(found: Families, names: string[], combine: (values: number[] | undefined) => number | null): number | null {
  for (const name of names) if (found.has(name)) return combine(found.get(name))
  return null
}

export function parseVllmMetrics(text: string): VllmSample {
  const found = families(text)
  return {
    kvCacheUsage: first(found, ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc'], mean),
    prefixCacheQueries: first(found, ['vllm:prefix_cache_queries'], sum),
    prefixCacheHits: first(found, ['vllm:prefix_cache_hits'], sum),
    prefixCacheHitRateGauge: first(found, ['vllm:gpu_prefix_cache_hit_rate'], mean),
    specDraftTokens: first(found, ['vllm:spec_decode_num_draft_tokens'], sum),
    specAcceptedTokens: first(found, ['vllm:spec_decode_num_accepted_tokens'], sum),
    specAcceptanceRateGauge: first(found, ['vllm:spec_decode_draft_acceptance_rate'], mean),
    requestsRunning: first(found, ['vllm:num_requests_running'], sum),
    requestsWaiting: first(found, ['vllm:num_requests_waiting'], sum),
  }
}

/** part over whole, over the interval since `before` when the whole grew in it (a restarted server's counters start again), else cumulative. */
function ratio(part: number | null, whole: number | null, partBefore: number | null | undefined, wholeBefore: number | null | undefined): number | null {
  if (part === null || whole === null) return null
  if (partBefore != null && wholeBefore != null && whole > wholeBefore && part >= partBefore) return (part - partBefore) / (whole - wholeBefore)
  return whole > 0 ? part / whole : null
}

export function vllmFigures(current: VllmSample, before?: VllmSample): VllmFigures {
  return {
    kvCacheUsage: current.kvCacheUsage,
    prefixCacheHitRate: ratio(current.prefixCacheHits, current.prefixCacheQueries, before?.prefixCacheHits, before?.prefixCacheQueries) ?? current.prefixCacheHitRateGauge,
    specDecodeAcceptanceRate:
      ratio(current.specAcceptedTokens, current.specDraftTokens, before?.specAcceptedTokens, before?.specDraftTokens) ?? current.specAcceptanceRateGauge,
    requestsRunning: current.requestsRunning,
    requestsWaiting: current.requestsWaiting,
  }
}
