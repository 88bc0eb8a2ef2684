import {describe, expect, it, vi} from 'vitest'

import {collectChat} from '../../src/llm/collect.js'
import {EndpointPool} from '../../src/llm/pool.js'
import {client, server} from './helpers.js'

const messages = [{role: 'user' as const, content: 'go'}]

describe('EndpointPool', () => {
  const pool = (probe: () => Promise<boolean> = async () => true, now = () => 0) =>
    new EndpointPool(['http://a/v1', 'http://b/v1', 'http://c/v1/'], {failureThreshold: 2, probeIntervalMs: 1000, probe, now})

  it('picks the endpoint with the fewest outstanding requests', async () => {
    const p = pool()
    const first = await p.acquire()
    const second = await p.acquire()
    const third = await p.acquire()
    expect(new Set([first.url, second.url, third.url]).size).toBe(3)
    p.release(second, 'ok')
    expect((await p.acquire()).url).toBe(second.url)
    expect(p.endpoints[2]!.root).toBe('http://c')
  })

  it('keeps a conversation on its endpoint even when another is idler', async () => {
    const p = pool()
    const home = await p.acquire('conversation-1')
    expect((await p.acquire('conversation-1')).url).toBe(home.url)
    expect((await p.acquire('conversation-2')).url).not.toBe(home.url)
  })

  it('marks an endpoint down after repeated failures and takes it back only after /health answers', async () => {
    let clock = 0
    let healthy = false
    const probed: string[] = []
    const p = pool(async () => {
      probed.push('probe')
      return healthy
    }, () => clock)
    const a = p.endpoints[0]!
    for (let i = 0; i < 2; i++) p.release(await p.acquire('c', p.endpoints[1]), 'failed')
    expect(a.down).toBe(true)
    expect((await p.acquire('c')).url).not.toBe(a.url)
    clock = 1500
    await p.acquire()
    await Promise.resolve()
    expect(probed).toHaveLength(1)
    expect(a.down).toBe(true)
    healthy = true
    clock = 3000
    await p.acquire()
    await new Promise((resolve) => setImmediate(resolve))
    expect(a.down).toBe(false)
  })

  it('probes every endpoint when all are down, and reports none healthy as a retryable error that keeps the server\'s own words', async () => {
    const p = new EndpointPool(['http://a/v1'], {failureThreshold: 1, probeIntervalMs: 60_000, probe: async () => false})
    p.release(await p.acquire(), 'failed', 'HTTP 503 at http://a/v1: the model is loading')
    const failure = p.acquire()
    await expect(failure).rejects.toMatchObject({kind: 'no_endpoint', retryable: true})
    await expect(failure).rejects.toThrow('http://a/v1: HTTP 503 at http://a/v1: the model is loading')
  })
})

describe('failover between live servers', () => {
  it('completes a request on the other endpoint when one dies mid-stream', async () => {
    const a = await server()
    const b = await server()
    a.setHandler(() => ({type: 'completion', text: 'word '.repeat(200), tokenDelayMs: 10}))
    b.setHandler(() => ({type: 'completion', text: 'from b'}))
    const llm = client([a, b], {endpointFailureThreshold: 1})
    const events = llm.chat({messages, conversationId: 'c1'})
    const texts: string[] = []
    let restarted = false
    for await (const event of events) {
      if (event.type === 'text') {
        texts.push(event.delta)
        if (texts.length === 3) await a.kill()
      }
      if (event.type === 'restart') {
        restarted = true
        texts.length = 0
      }
      if (event.type === 'finish') expect(event.endpoint).toBe(b.baseUrl)
    }
    expect(restarted).toBe(true)
    expect(texts.join('')).toBe('from b')
    // The conversation has moved: its next request goes straight to b.
    const next = await collectChat(llm.chat({messages, conversationId: 'c1'}))
    expect(next).toMatchObject({endpoint: b.baseUrl, attempts: 1})
  })

  it('brings back a server that has no /health once its /v1/models answers (issue 16)', async () => {
    const a = await server({health: false})
    a.setHandler(() => ({type: 'completion', text: 'a'}))
    const llm = client([a], {endpointFailureThreshold: 1, endpointProbeIntervalMs: 20, maxRetries: 0})
    a.enqueue({type: 'reset'})
    await expect(collectChat(llm.chat({messages}))).rejects.toMatchObject({kind: 'connection'})
    expect(llm.pool.endpoints[0]!.down).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect(await collectChat(llm.chat({messages}))).toMatchObject({text: 'a'})
    expect(a.requests.filter((request) => request.path === '/health' || request.path === '/v1/models').map((request) => request.path)).toContain('/v1/models')
  })

  it('does not mark a server down for a 200 whose stream was unusable, and says what was wrong with it (issue 16)', async () => {
    const a = await server()
    const llm = client([a], {endpointFailureThreshold: 2, maxRetries: 1})
    a.enqueue({type: 'completion', text: 'partial', fault: {kind: 'no-finish'}}, {type: 'completion', text: 'partial', fault: {kind: 'no-finish'}})
    await expect(collectChat(llm.chat({messages}))).rejects.toMatchObject({kind: 'stream'})
    expect(llm.pool.endpoints[0]!.down).toBe(false)
    a.setHandler(() => ({type: 'completion', text: 'fine'}))
    expect(await collectChat(llm.chat({messages}))).toMatchObject({text: 'fine'})
  })

  it('routes around a refused endpoint and brings it back once /health answers', async () => {
    const a = await server()
    const b = await server()
    b.setHandler(() => ({type: 'completion', text: 'b'}))
    a.setHandler(() => ({type: 'completion', text: 'a'}))
    a.healthy = false
    const llm = client([a, b], {endpointFailureThreshold: 1, endpointProbeIntervalMs: 20})
    a.enqueue({type: 'reset'})
    expect((await collectChat(llm.chat({messages}))).endpoint).toBe(b.baseUrl)
    expect(llm.pool.endpoints[0]!.down).toBe(true)
    a.healthy = true
    await new Promise((resolve) => setTimeout(resolve, 40))
    await collectChat(llm.chat({messages}))
    await vi.waitFor(() => expect(llm.pool.endpoints[0]!.down).toBe(false), {timeout: 5_000})
    expect(a.requests.some((request) => request.path === '/health')).toBe(true)
  })
})
