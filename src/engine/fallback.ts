/**
 * `pyagent run` with no LLM server answering: the cached model, run by the embedded engine and
 * served in-process on 127.0.0.1, behind the same OpenAI-compatible surface as vLLM.
 */
import {EmbeddedEngine} from './engine.js'
import {DEFAULT_MODEL, findModel} from './models.js'
import {serveModel} from './server.js'

export interface EmbeddedEndpoint {
  url: string
  model: string
  /** The one line that tells the user which model answers, and why. */
  notice: string
  close(): Promise<void>
}

export function embeddedNotice(triedUrl: string, label: string): string {
  return `no server at ${triedUrl}; using the embedded ${label} — fine to try PyAgent, too small for real work; start vLLM for real tasks`
}

/** Undefined when the cache holds no model (`pyagent model pull` fetches the default one). */
/** `model`: a cached model's name picks it (the configured `model` may name one); otherwise the default one. */
export async function startEmbeddedEndpoint(triedUrl: string, options: {threads: number; model?: string}): Promise<EmbeddedEndpoint | undefined> {
  const entry = (options.model ? await findModel(options.model) : undefined) ?? (await findModel())
  if (!entry) return undefined
  const engine = await EmbeddedEngine.load(entry, {threads: options.threads})
  const server = await serveModel(engine)
  return {
    url: server.url,
    model: entry.name,
    notice: embeddedNotice(triedUrl, entry.name === DEFAULT_MODEL.name ? DEFAULT_MODEL.label : entry.name),
    close: async () => {
      await server.close()
      await engine.close()
    },
  }
}
