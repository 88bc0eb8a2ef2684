/**
 * Several OpenAI-compatible endpoints used as one: the least busy is picked, a conversation
 * stays on its endpoint (vLLM's prefix cache lives there), and an endpoint that keeps failing
 * is set aside until it answers again: its /health, or /v1/models where a server has no /health
 * (llama.cpp's Python server, Ollama, LM Studio, hosted APIs).
 */
import {LlmError} from './errors.js'

const MAX_CONVERSATIONS = 10_000

/** Names a request's conversation to a pool in front of the endpoints (the fleet server's), so that it keeps the conversation on one endpoint too. */
export const CONVERSATION_HEADER = 'x-pyagent-conversation'

export interface Endpoint {
  /** The /v1 base URL. */
  readonly url: string
  /** The server root, where vLLM serves /health and /tokenize. */
  readonly root: string
  outstanding: number
  failures: number
  down: boolean
  lastProbeAt: number
  /** Why the endpoint last failed, in the server's own words: what the user sees if every endpoint is down. */
  lastError?: string
}

export interface PoolOptions {
  failureThreshold: number
  probeIntervalMs: number
  /** Resolves true when the endpoint answers (see probeHealth). */
  probe?: (endpoint: Endpoint) => Promise<boolean>
  now?: () => number
}

export function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '')
}

async function answers(url: string, timeoutMs: number): Promise<number | undefined> {
  try {
    const response = await fetch(url, {signal: AbortSignal.timeout(timeoutMs)})
    await response.body?.cancel()
    return response.status
  } catch {
    return undefined
  }
}

/** True when /health answers 2xx or, on a server without one (404, 405, 501), /v1/models does. */
export async function probeHealth(endpoint: Endpoint, timeoutMs = 2_000): Promise<boolean> {
  const health = await answers(`${endpoint.root}/health`, timeoutMs)
  if (health !== undefined && health >= 200 && health < 300) return true
  if (health !== 404 && health !== 405 && health !== 501) return false
  const models = await answers(`${endpoint.url}/models`, timeoutMs)
  return models !== undefined && models >= 200 && models < 300
}

export class EndpointPool {
  readonly endpoints: Endpoint[]
  private readonly affinity = new Map<string, Endpoint>()
  private readonly probing = new Map<Endpoint, Promise<void>>()
  private readonly now: () => number
  private readonly probe: (endpoint: Endpoint) => Promise<boolean>

  constructor(
    urls: readonly string[],
    private readonly options: PoolOptions,
  ) {
    const unique = [...new Set(urls.map((url) => url.replace(/\/+$/, '')))]
    if (unique.length === 0) throw new Error('EndpointPool needs at least one endpoint URL')
    this.endpoints = unique.map((url) => ({url, root: serverRoot(url), outstanding: 0, failures: 0, down: false, lastProbeAt: 0}))
    this.now = options.now ?? Date.now
    this.probe = options.probe ?? ((endpoint) => probeHealth(endpoint))
  }

  /**
   * Picks an endpoint and counts the request as outstanding on it; `release` must follow.
   * `avoid` is the endpoint that just failed: a retry goes elsewhere when it can.
   */
  async acquire(conversationId?: string, avoid?: Endpoint): Promise<Endpoint> {
    this.probeDueEndpoints()
    let up = this.endpoints.filter((endpoint) => !endpoint.down)
    if (up.length === 0) {
      await Promise.all(this.endpoints.map((endpoint) => this.probeNow(endpoint)))
      up = this.endpoints.filter((endpoint) => !endpoint.down)
    }
    if (up.length === 0) {
      throw new LlmError({
        kind: 'no_endpoint',
        endpoint: this.endpoints.map((endpoint) => endpoint.url).join(', '),
        detail: `every endpoint is marked down and did not answer its probe since: ${this.endpoints
          .map((endpoint) => `${endpoint.url}: ${endpoint.lastError ?? 'no answer'}`)
          .join('; ')}`,
        retryable: true,
      })
    }
    const candidates = avoid && up.length > 1 ? up.filter((endpoint) => endpoint !== avoid) : up
    const sticky = conversationId === undefined ? undefined : this.affinity.get(conversationId)
    let chosen = sticky && candidates.includes(sticky) ? sticky : undefined
    if (!chosen) {
      chosen = candidates[0]!
      for (const endpoint of candidates) if (endpoint.outstanding < chosen.outstanding) chosen = endpoint
    }
    if (conversationId !== undefined) this.remember(conversationId, chosen)
    chosen.outstanding++
    return chosen
  }

  /** Most recently used last; the oldest conversations are forgotten so a long-lived server doesn't grow without bound. */
  private remember(conversationId: string, endpoint: Endpoint): void {
    this.affinity.delete(conversationId)
    this.affinity.set(conversationId, endpoint)
    if (this.affinity.size > MAX_CONVERSATIONS) this.affinity.delete(this.affinity.keys().next().value!)
  }

  /**
   * `failed` is for failures of the endpoint itself (connection, 5xx, timeout), not of the request
   * nor of an answer whose content was unusable; `error` says what failed, as the server said it.
   */
  release(endpoint: Endpoint, outcome: 'ok' | 'failed' | 'neutral', error?: string): void {
    endpoint.outstanding = Math.max(0, endpoint.outstanding - 1)
    if (outcome === 'ok') endpoint.failures = 0
    if (outcome === 'failed') {
      endpoint.failures++
      if (error !== undefined) endpoint.lastError = error
      if (endpoint.failures >= this.options.failureThreshold && !endpoint.down) {
        endpoint.down = true
        endpoint.lastProbeAt = this.now()
      }
    }
  }

  /** Down endpoints whose wait is over are probed in the background; a healthy one rejoins. */
  private probeDueEndpoints(): void {
    for (const endpoint of this.endpoints) {
      if (endpoint.down && this.now() - endpoint.lastProbeAt >= this.options.probeIntervalMs) void this.probeNow(endpoint)
    }
  }

  private probeNow(endpoint: Endpoint): Promise<void> {
    if (!endpoint.down) return Promise.resolve()
    let running = this.probing.get(endpoint)
    if (!running) {
      endpoint.lastProbeAt = this.now()
      running = this.probe(endpoint).then((healthy) => {
        this.probing.delete(endpoint)
        if (healthy) {
          endpoint.down = false
          endpoint.failures = 0
        }
      })
      this.probing.set(endpoint, running)
    }
    return running
  }
}
