import {describe, expect, it} from 'vitest'

import {parseVllmMetrics, vllmFigures} from '../../src/server/vllm-metrics.js'
import {server} from '../llm/helpers.js'

const metricsOf = async (root: string) => (await fetch(`${root}/metrics`)).text()

describe("reading vLLM's /metrics", () => {
  it("finds the V1 engine's KV-cache usage, prefix-cache hits, spec-decode acceptance and queue in what the stand-in serves as vLLM does", async () => {
    const vllm = await server()
    vllm.vllm = {kvCacheUsage: 0.42, waiting: 3, specDraftTokens: 200, specAcceptedTokens: 150}
    vllm.enqueue({type: 'completion', text: 'ok', promptTokens: 100, cachedTokens: 80})
    await fetch(`${vllm.baseUrl}/chat/completions`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({model: 'test-model', messages: []})})
    const sample = parseVllmMetrics(await metricsOf(vllm.root))
    expect(sample).toMatchObject({kvCacheUsage: 0.42, prefixCacheQueries: 100, prefixCacheHits: 80, specDraftTokens: 200, specAcceptedTokens: 150, requestsRunning: 0, requestsWaiting: 3})
    expect(vllmFigures(sample)).toEqual({kvCacheUsage: 0.42, prefixCacheHitRate: 0.8, specDecodeAcceptanceRate: 0.75, requestsRunning: 0, requestsWaiting: 3})
  })

  it('gives the rates over the interval since the previous scrape, and since start again when the server restarted', () => {
    const at = (queries: number, hits: number, drafted: number, accepted: number) =>
      parseVllmMetrics(
        [
          '# TYPE vllm:prefix_cache_queries_total counter',
          `vllm:prefix_cache_queries_total{engine="0",model_name="m"} ${queries}`,
          '# TYPE vllm:prefix_cache_hits_total counter',
          `vllm:prefix_cache_hits_total{engine="0",model_name="m"} ${hits}`,
          '# TYPE vllm:spec_decode_num_draft_tokens_total counter',
          `vllm:spec_decode_num_draft_tokens_total{engine="0",model_name="m"} ${drafted}`,
          '# TYPE vllm:spec_decode_num_accepted_tokens_total counter',
          `vllm:spec_decode_num_accepted_tokens_total{engine="0",model_name="m"} ${accepted}`,
          '',
        ].join('\n'),
      )
    const first = at(1000, 900, 100, 90)
    const second = at(2000, 1000, 300, 110)
    expect(vllmFigures(second, first)).toMatchObject({prefixCacheHitRate: 0.1, specDecodeAcceptanceRate: 0.1})
    // Nothing asked in between: the figures since start.
    expect(vllmFigures(second, second)).toMatchObject({prefixCacheHitRate: 0.5, specDecodeAcceptanceRate: 110 / 300})
    const restarted = at(10, 5, 0, 0)
    expect(vllmFigures(restarted, second)).toMatchObject({prefixCacheHitRate: 0.5, specDecodeAcceptanceRate: null})
  })

  it("reads the V0 engine's names, sums data-parallel engines and averages their KV-cache usage", () => {
    const sample = parseVllmMetrics(
      [
        '# TYPE vllm:gpu_cache_usage_perc gauge',
        'vllm:gpu_cache_usage_perc{model_name="m"} 0.5',
        '# TYPE vllm:gpu_prefix_cache_hit_rate gauge',
        'vllm:gpu_prefix_cache_hit_rate{model_name="m"} 0.25',
        '# TYPE vllm:spec_decode_draft_acceptance_rate gauge',
        'vllm:spec_decode_draft_acceptance_rate{model_name="m"} 0.6',
        '# TYPE vllm:num_requests_running gauge',
        'vllm:num_requests_running{engine="0",model_name="m"} 2',
        'vllm:num_requests_running{engine="1",model_name="m"} 3',
        '',
      ].join('\n'),
    )
    expect(vllmFigures(sample)).toEqual({kvCacheUsage: 0.5, prefixCacheHitRate: 0.25, specDecodeAcceptanceRate: 0.6, requestsRunning: 5, requestsWaiting: null})
  })

  it('reports nothing rather than a guess for a server that is not vLLM, a page that is not metrics, or a value that is not a number', () => {
    const texts = [
      '# TYPE http_requests_total counter\nhttp_requests_total 7\n',
      '<html>not metrics</html>\n',
      '# TYPE vllm:kv_cache_usage_perc gauge\nvllm:kv_cache_usage_perc{engine="0"} lots\n',
    ]
    for (const text of texts) expect(Object.values(vllmFigures(parseVllmMetrics(text))).every((value) => value === null)).toBe(true)
  })
})
