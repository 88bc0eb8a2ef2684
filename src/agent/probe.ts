/**
 * Is anybody there? Checked before anything heavy is loaded, so that a missing server is
 * reported at once with what to do about it.
 */
import type {Config} from '../config/schema.js'
import {noEndpointMessage, noEndpointNoModelMessage} from './endpoint-help.js'

/** An expected failure before the task could start; the command prints it and exits 1. */
export class RunSetupError extends Error {
  override readonly name = 'RunSetupError'
}

const FAILURES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
}

function describeFetchFailure(error: unknown): string {
  if ((error as Error).name === 'TimeoutError') return `no answer within ${PROBE_TIMEOUT_MS / 1000} s`
  const cause = (error as {cause?: {code?: string; message?: string}}).cause
  return (cause?.code && FAILURES[cause.code]) ?? cause?.message ?? (error as Error).message
}

const PROBE_TIMEOUT_MS = 3000

/** Any HTTP answer from /models means a server is there; only silence or a refused connection counts as down. */
export async function probeEndpoints(urls: readonly string[], signal: AbortSignal): Promise<void> {
  const reasons: string[] = []
  for (const url of urls) {
    try {
      await fetch(`${url.replace(/\/+$/, '')}/models`, {signal: AbortSignal.any([signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)])})
      return
    } catch (error) {
      if (signal.aborted) throw error
      reasons.push(`${url}: ${describeFetchFailure(error)}`)
    }
  }
  throw new Error(reasons.join('; '))
}

/** Throws a RunSetupError with the whole explanation when no configured endpoint answers. */
export async function checkEndpoints(urls: readonly string[], signal: AbortSignal): Promise<void> {
  try {
    await probeEndpoints(urls, signal)
  } catch (error) {
    if (signal.aborted) throw error
    throw new RunSetupError(noEndpointMessage((error as Error).message))
  }
}

/** Where `pyagent run` sends its requests, and what to stop when it is done. */
export interface RunEndpoint {
  config: Config
  /** Said once on stderr when the embedded model stands in for the configured server. */
  notice?: string
  close(): Promise<void>
}

/**
 * The configured endpoints when one answers. Otherwise the cached model, started in-process
 * (the engine is imported only then: it is large) and driven with JSON actions under its token
 * masks, since it has no tool-call parser; with no model cached, a RunSetupError that says how
 * to start vLLM or pull one.
 */
export async function runEndpoint(config: Config, signal: AbortSignal): Promise<RunEndpoint> {
  try {
    await probeEndpoints([config.baseUrl, ...config.endpoints], signal)
    return {config, close: async () => {}}
  } catch (error) {
    if (signal.aborted) throw error
    const {startEmbeddedEndpoint} = await import('../engine/fallback.js')
    const embedded = await startEmbeddedEndpoint(config.baseUrl, {threads: config.engineThreads, model: config.model})
    if (!embedded) throw new RunSetupError(noEndpointNoModelMessage((error as Error).message))
    return {
      config: {...config, baseUrl: embedded.url, endpoints: [], model: embedded.model, actionProtocol: 'json'},
      notice: embedded.notice,
      close: embedded.close,
    }
  }
}
