/**
 * Where a task's requests go. Is anybody there? Checked before anything heavy is loaded, so a
 * missing server is reported at once with what to do about it; with none, the cached model is
 * started in a process of its own and stands in.
 */
import type {Config} from '../config/schema.js'
import {PyAgentError} from '../errors.js'

/** The vLLM command line the README and the no-endpoint message recommend: a coder model with tool calling on. */
export const VLLM_SERVE_LINE =
  'vllm serve Qwen/Qwen2.5-Coder-7B-Instruct --enable-auto-tool-choice --tool-call-parser hermes --port 8000'

/** `failures` names each endpoint tried and what went wrong there. */
export function noEndpointMessage(failures: string): string {
  return (
    `No LLM endpoint answered: PyAgent tried ${failures}. ` +
    `Start vLLM's OpenAI-compatible server with tool calling enabled, for example \`${VLLM_SERVE_LINE}\`, ` +
    'or point PyAgent at a server that is already running with `export PYAGENT_BASE_URL=http://<host>:8000/v1` ' +
    '(or `pyagent config set baseUrl http://<host>:8000/v1`); `pyagent doctor` checks the connection.'
  )
}

export function embeddedNotice(triedUrl: string, label: string): string {
  return `no server at ${triedUrl}; using the embedded ${label} — fine to try PyAgent, too small for real work; start vLLM for real tasks`
}

/** No endpoint answered (and, where it may stand in, no model is cached): the message says how to start one. */
export class NoEndpointError extends PyAgentError {
  override readonly name = 'NoEndpointError'
  constructor(message: string) {
    super('E_NO_ENDPOINT', message)
  }
}

const FAILURES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
}

const PROBE_TIMEOUT_MS = 3000

function describeFetchFailure(error: unknown): string {
  if ((error as Error).name === 'TimeoutError') return `no answer within ${PROBE_TIMEOUT_MS / 1000} s`
  const cause = (error as {cause?: {code?: string; message?: string}}).cause
  return (cause?.code && FAILURES[cause.code]) ?? cause?.message ?? (error as Error).message
}

/** Any HTTP answer from /models means a server is there; only silence or a refused connection counts as down. Returns why each failed. */
async function probeEndpoints(urls: readonly string[], signal: AbortSignal): Promise<string | undefined> {
  const reasons: string[] = []
  for (const url of urls) {
    try {
      await fetch(`${url.replace(/\/+$/, '')}/models`, {signal: AbortSignal.any([signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)])})
      return undefined
    } catch (error) {
      if (signal.aborted) throw error
      reasons.push(`${url}: ${describeFetchFailure(error)}`)
    }
  }
  return reasons.join('; ')
}

/** Where a task sends its requests, and what to stop when it is done. */
/**
 * The embedded engine's context is 4,096 tokens and its system prompt takes about 1,200 of them;
 * a larger map would leave too little for the conversation.
 */
const EMBEDDED_MAP_TOKENS = 512

export interface TaskEndpoint {
  config: Config
  /** Said once when the embedded model stands in for the configured server. */
  notice?: string
  /** The embedded engine serves the task: it honours PyAgent's own schema keywords. */
  embedded: boolean
  close(): Promise<void>
}

/**
 * The configured endpoints when one answers. Otherwise, with `embedded`, the cached model,
 * started in a process of its own (src/engine/host-process.ts says why) and driven with JSON
 * actions under its token masks, since it has no tool-call parser. Otherwise a NoEndpointError
 * that says how to start vLLM (or pull a model).
 */
export async function resolveEndpoint(config: Config, signal: AbortSignal, options: {embedded: boolean}): Promise<TaskEndpoint> {
  const failures = await probeEndpoints([config.baseUrl, ...config.endpoints], signal)
  if (failures === undefined) return {config, embedded: false, close: async () => {}}
  if (!options.embedded) throw new NoEndpointError(noEndpointMessage(failures))
  const {startModelServer} = await import('./model-server.js')
  const embedded = await startModelServer({model: config.model, threads: config.engineThreads, fallBackToDefault: true})
  if (!embedded) {
    throw new NoEndpointError(
      `${noEndpointMessage(failures)} To try PyAgent without a server, \`npx pyagent model pull\` fetches a small model that \`pyagent run\` then uses.`,
    )
  }
  return {
    config: {...config, baseUrl: embedded.url, endpoints: [], model: embedded.model.name, actionProtocol: 'json', mapTokens: Math.min(config.mapTokens, EMBEDDED_MAP_TOKENS)},
    notice: embeddedNotice(config.baseUrl, embedded.label),
    embedded: true,
    close: embedded.close,
  }
}
