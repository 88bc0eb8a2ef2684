/**
 * The fleet's LLM endpoints as one OpenAI-compatible server at /llm/v1: every worker, whether a
 * child process or on another machine, sends its LLM requests here, and the server's one pool
 * (llm-endpoints.ts) picks the endpoint — least outstanding requests across all workers, the
 * same endpoint for a conversation (the `x-pyagent-conversation` header) so vLLM's prefix cache
 * hits. Answers stream through as they come; a worker that hangs up stops the upstream request.
 * An endpoint that cannot be reached is counted against it and the request goes to another.
 */
import {once} from 'node:events'

import type {FastifyInstance, FastifyReply, FastifyRequest} from 'fastify'

import {CONVERSATION_HEADER, type Endpoint} from '../llm/pool.js'
import type {FleetEndpoints} from './llm-endpoints.js'

export const LLM_PROXY_PREFIX = '/llm'

/** The routes of an OpenAI-compatible server (and vLLM's own) that PyAgent's client calls; nothing else is forwarded. */
const FORWARDED = new Set(['/v1/chat/completions', '/v1/models', '/tokenize', '/version'])

/** A long conversation is large; the API's own 1 MB limit is for task submissions. */
const BODY_LIMIT = 32 * 1024 * 1024

const MAX_CONVERSATION_ID = 200

/** An error in the body shape OpenAI's SDK reads. */
const openAiError = (status: number, message: string) => ({error: {message, type: status === 503 ? 'ServiceUnavailableError' : 'BadGatewayError', param: null, code: status}})

function causeOf(error: unknown): string {
  const cause = (error as {cause?: {code?: string; message?: string}}).cause
  return cause?.code ?? cause?.message ?? (error as Error).message
}

export function registerLlmProxy(app: FastifyInstance, endpoints: FleetEndpoints): void {
  app.get(`${LLM_PROXY_PREFIX}/health`, async (_request, reply) => {
    const up = endpoints.pool.endpoints.some((endpoint) => !endpoint.down)
    return reply.status(up ? 200 : 503).send({status: up ? 'ok' : 'no endpoint up'})
  })
  app.route({
    method: ['GET', 'POST'],
    url: `${LLM_PROXY_PREFIX}/*`,
    bodyLimit: BODY_LIMIT,
    handler: async (request, reply) => {
      const path = request.url.slice(LLM_PROXY_PREFIX.length).split('?')[0]!
      if (!FORWARDED.has(path)) return reply.status(404).send(openAiError(404, `${path} is not forwarded to the LLM endpoints; the fleet forwards ${[...FORWARDED].join(', ')}.`))
      return forward(request, reply, endpoints, path)
    },
  })
}

async function forward(request: FastifyRequest, reply: FastifyReply, endpoints: FleetEndpoints, path: string): Promise<unknown> {
  const header = request.headers[CONVERSATION_HEADER]
  const conversation = typeof header === 'string' && header !== '' ? header.slice(0, MAX_CONVERSATION_ID) : undefined
  const body = request.method === 'POST' ? JSON.stringify(request.body ?? {}) : undefined
  const hungUp = new AbortController()
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) hungUp.abort()
  })
  let avoid: Endpoint | undefined
  for (let attempt = 1; ; attempt++) {
    let endpoint: Endpoint
    try {
      endpoint = await endpoints.pool.acquire(conversation, avoid)
    } catch (error) {
      return reply.status(503).send(openAiError(503, (error as Error).message))
    }
    let upstream: Response
    try {
      upstream = await fetch(endpoint.root + path, {
        method: request.method,
        headers: {'content-type': 'application/json', authorization: `Bearer ${endpoints.apiKey}`},
        body,
        signal: hungUp.signal,
      })
    } catch (error) {
      const failed = !hungUp.signal.aborted
      endpoints.pool.release(endpoint, failed ? 'failed' : 'neutral', causeOf(error))
      endpoints.counted(endpoint, failed)
      if (!failed) return reply.hijack()
      if (attempt < endpoints.pool.endpoints.length) {
        avoid = endpoint
        continue
      }
      return reply.status(502).send(openAiError(502, `the LLM endpoint ${endpoint.url} could not be reached: ${causeOf(error)}`))
    }
    reply.hijack()
    await relay(upstream, reply, hungUp.signal, (failure) => {
      const failed = failure !== undefined || upstream.status >= 500
      endpoints.pool.release(endpoint, failed ? 'failed' : upstream.ok ? 'ok' : 'neutral', failure ?? (failed ? `HTTP ${upstream.status}` : undefined))
      endpoints.counted(endpoint, failed)
    })
    return reply
  }
}

/** Streams the upstream answer to the worker as it arrives; `done` hears why it broke off, if it did through the endpoint's fault. */
async function relay(upstream: Response, reply: FastifyReply, hungUp: AbortSignal, done: (failure: string | undefined) => void): Promise<void> {
  const raw = reply.raw
  const retryAfter = upstream.headers.get('retry-after')
  raw.writeHead(upstream.status, {'content-type': upstream.headers.get('content-type') ?? 'application/json', ...(retryAfter ? {'retry-after': retryAfter} : {})})
  raw.flushHeaders()
  let failure: string | undefined
  try {
    if (upstream.body) {
      for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) {
        if (!raw.write(chunk)) await once(raw, 'drain', {signal: hungUp})
      }
    }
    raw.end()
  } catch (error) {
    if (!hungUp.aborted) failure = `the answer broke off: ${causeOf(error)}`
    raw.destroy()
  } finally {
    done(failure)
  }
}
