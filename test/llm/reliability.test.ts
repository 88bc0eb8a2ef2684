/** Each reliability promise of the client, against faults the test server injects. */
import {describe, expect, it} from 'vitest'

import {collectChat} from '../../src/llm/collect.js'
import {LlmError, parseRetryAfter} from '../../src/llm/errors.js'
import {backoffDelay} from '../../src/llm/retry.js'
import type {ChatEvent} from '../../src/llm/types.js'
import {client, server} from './helpers.js'

const messages = [{role: 'user' as const, content: 'go'}]

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(LlmError)
  return error as LlmError
}

describe('retries', () => {
  it('back off exponentially with full jitter, capped', () => {
    const policy = {maxRetries: 9, baseDelayMs: 100, maxDelayMs: 1000}
    expect([0, 1, 2, 3, 4].map((retry) => backoffDelay(retry, policy, () => 1))).toEqual([100, 200, 400, 800, 1000])
    expect(backoffDelay(3, policy, () => 0)).toBe(0)
    expect(backoffDelay(3, policy, () => 0.5)).toBe(400)
  })

  it('read Retry-After as seconds, as an HTTP date, or as retry-after-ms', () => {
    const now = Date.parse('2026-11-25T10:00:00Z')
    expect(parseRetryAfter(new Headers({'retry-after': '2'}), now)).toBe(2000)
    expect(parseRetryAfter(new Headers({'retry-after': 'Wed, 25 Nov 2026 10:00:05 GMT'}), now)).toBe(5000)
    expect(parseRetryAfter(new Headers({'retry-after-ms': '250', 'retry-after': '9'}), now)).toBe(250)
    expect(parseRetryAfter(new Headers({'retry-after': 'soon'}), now)).toBeUndefined()
    expect(parseRetryAfter(new Headers(), now)).toBeUndefined()
  })

  it('honours Retry-After on 429, then succeeds', async () => {
    const s = await server()
    s.enqueue({type: 'error', status: 429, message: 'too many requests', retryAfter: '0.3'}, {type: 'completion', text: 'ok'})
    const started = performance.now()
    const result = await collectChat(client([s], {}, {random: () => 0}).chat({messages}))
    expect(result).toMatchObject({text: 'ok', attempts: 2})
    // With zero jitter the only wait is the server's Retry-After.
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
  })

  it.each(['nested', 'flat'] as const)('retries a 500 with a %s body, a connection reset and a 503', async (shape) => {
    const s = await server({errorShape: shape})
    s.enqueue(
      {type: 'error', status: 500, message: 'engine died'},
      {type: 'reset'},
      {type: 'error', status: 503, message: 'loading'},
      {type: 'completion', text: 'fine'},
    )
    const result = await collectChat(client([s]).chat({messages}))
    expect(result).toMatchObject({text: 'fine', attempts: 4})
    expect(s.chatRequests()).toHaveLength(4)
  })

  it('gives up after maxRetries with an error naming the endpoint, the status and vLLM\'s message', async () => {
    const s = await server({errorShape: 'flat'})
    s.setHandler(() => ({type: 'error', status: 500, message: 'CUDA out of memory'}))
    const error = await failure(collectChat(client([s], {maxRetries: 2}).chat({messages})))
    expect(error).toMatchObject({kind: 'http', status: 500, endpoint: s.baseUrl, serverMessage: 'CUDA out of memory'})
    expect(error.message).toContain(s.baseUrl)
    expect(error.message).toContain('HTTP 500')
    expect(s.chatRequests()).toHaveLength(3)
  })

  it('does not retry a 400, and names its message in both body shapes', async () => {
    for (const shape of ['nested', 'flat'] as const) {
      const s = await server()
      s.enqueue({type: 'error', status: 400, message: "This model's maximum context length is 8192 tokens", shape})
      const error = await failure(collectChat(client([s]).chat({messages})))
      expect(error).toMatchObject({kind: 'http', status: 400, retryable: false})
      expect(error.serverMessage).toBe("This model's maximum context length is 8192 tokens")
      expect(s.chatRequests()).toHaveLength(1)
    }
  })

  it('reports a refused connection with the endpoint and a hint, after its retries', async () => {
    const s = await server()
    await s.kill()
    const llm = client([s], {model: 'configured', maxRetries: 1, endpointFailureThreshold: 5})
    expect(await llm.model()).toEqual({id: 'configured'})
    const error = await failure(collectChat(llm.chat({messages})))
    expect(error).toMatchObject({kind: 'connection', endpoint: s.baseUrl, retryable: true})
    expect(error.message).toContain('Is the server running?')
  })

  it('restarts a stream dropped mid-answer and tells the caller to discard the partial text', async () => {
    const s = await server()
    s.enqueue({type: 'completion', text: 'partial answer that gets cut', fault: {kind: 'drop', afterEvents: 3}}, {type: 'completion', text: 'whole answer'})
    const seen: ChatEvent[] = []
    for await (const event of client([s]).chat({messages})) seen.push(event)
    const restart = seen.findIndex((event) => event.type === 'restart')
    expect(restart).toBeGreaterThan(0)
    expect(seen[restart]).toMatchObject({type: 'restart', attempt: 1, error: {kind: 'connection'}})
    const after = seen.slice(restart).flatMap((event) => (event.type === 'text' ? [event.delta] : []))
    expect(after.join('')).toBe('whole answer')
    expect(seen.at(-1)).toMatchObject({type: 'finish', attempts: 2})
  })

  it('refuses to wait for a Retry-After that falls past the total deadline', async () => {
    const s = await server()
    s.enqueue({type: 'error', status: 429, message: 'busy', retryAfter: '30'})
    const started = performance.now()
    const error = await failure(collectChat(client([s], {totalDeadlineMs: 20_000}).chat({messages})))
    expect(error).toMatchObject({kind: 'deadline', status: 429, retryAfterMs: 30_000})
    expect(error.message).toContain('busy')
    expect(performance.now() - started).toBeLessThan(10_000)
  })
})

describe('a broken stream is an error, never a truncated answer', () => {
  it('rejects a malformed chunk', async () => {
    const s = await server()
    s.enqueue({type: 'completion', text: 'a b c', fault: {kind: 'malformed', afterEvents: 2}})
    const error = await failure(collectChat(client([s], {maxRetries: 0}).chat({messages})))
    expect(error.kind).toBe('stream')
    expect(error.message).toContain('malformed chunk')
  })

  it('rejects a stream that ends without a finish reason', async () => {
    const s = await server()
    s.enqueue({type: 'completion', text: 'a b c', fault: {kind: 'no-finish'}})
    const error = await failure(collectChat(client([s], {maxRetries: 0}).chat({messages})))
    expect(error.kind).toBe('stream')
    expect(error.message).toContain('without a finish reason')
  })

  it.each(['nested', 'flat'] as const)('reports a mid-stream error event (%s server) with vLLM\'s message', async (shape) => {
    const s = await server({errorShape: shape})
    s.enqueue({type: 'completion', text: 'a b c', fault: {kind: 'error-event', afterEvents: 2, message: 'generation failed'}})
    const error = await failure(collectChat(client([s], {maxRetries: 0}).chat({messages})))
    expect(error).toMatchObject({kind: 'stream', serverMessage: 'generation failed'})
  })
})

describe('timeouts and cancellation', () => {
  it('abandons an attempt that exceeds requestTimeoutMs and retries', async () => {
    const s = await server()
    s.enqueue({type: 'completion', text: 'never finished', fault: {kind: 'hang', afterEvents: 2}}, {type: 'completion', text: 'done'})
    const result = await collectChat(client([s], {requestTimeoutMs: 300}).chat({messages}))
    expect(result).toMatchObject({text: 'done', attempts: 2, restarts: 1})
  })

  it('lets a slow answer that keeps streaming outlive requestTimeoutMs', async () => {
    const s = await server()
    s.enqueue({type: 'completion', text: 'slow '.repeat(12), tokenDelayMs: 50})
    const result = await collectChat(client([s], {requestTimeoutMs: 300}).chat({messages}))
    expect(result).toMatchObject({attempts: 1, text: 'slow '.repeat(12)})
  })

  it('cuts a stream that never ends at the total deadline', async () => {
    const s = await server()
    s.enqueue({type: 'completion', text: 'a b', fault: {kind: 'endless', afterEvents: 2, intervalMs: 10}})
    const error = await failure(collectChat(client([s], {totalDeadlineMs: 500}).chat({messages})))
    expect(error.kind).toBe('deadline')
  })

  it('stops at the total deadline across retries', async () => {
    const s = await server()
    s.setHandler(() => ({type: 'completion', text: 'a b', fault: {kind: 'hang', afterEvents: 1}}))
    const error = await failure(collectChat(client([s], {requestTimeoutMs: 200, totalDeadlineMs: 3_000, maxRetries: 50}).chat({messages})))
    expect(error.kind).toBe('deadline')
    expect(s.chatRequests().length).toBeGreaterThanOrEqual(2)
  })

  it('stops a streaming answer within 200 ms of the abort', async () => {
    const s = await server()
    s.enqueue({type: 'completion', text: 'word '.repeat(500), tokenDelayMs: 20})
    const controller = new AbortController()
    let abortedAt = 0
    const error = await failure(
      (async () => {
        for await (const event of client([s]).chat({messages, signal: controller.signal})) {
          if (event.type === 'text' && abortedAt === 0) {
            abortedAt = performance.now()
            controller.abort()
          }
        }
      })(),
    )
    expect(error.kind).toBe('cancelled')
    expect(performance.now() - abortedAt).toBeLessThan(200)
  })

  it('stops a stream that never ends, and a retry wait, within 200 ms of the abort', async () => {
    const s = await server()
    s.enqueue({type: 'completion', text: 'a', fault: {kind: 'hang', afterEvents: 1}}, {type: 'error', status: 429, message: 'wait', retryAfter: '10'})
    for (let run = 0; run < 2; run++) {
      const controller = new AbortController()
      const pending = collectChat(client([s]).chat({messages, signal: controller.signal}))
      await new Promise((resolve) => setTimeout(resolve, 300))
      const abortedAt = performance.now()
      controller.abort()
      const error = await failure(pending)
      expect(error.kind).toBe('cancelled')
      expect(performance.now() - abortedAt).toBeLessThan(200)
    }
  })
})
