/**
 * A cached model run by the embedded engine and served on 127.0.0.1 behind the same
 * OpenAI-compatible surface as vLLM: what `pyagent serve-model` starts, and what `pyagent run`
 * falls back to when no server answers.
 */
import {EmbeddedEngine} from '../engine/engine.js'
import {ModelError} from '../engine/errors.js'
import {DEFAULT_MODEL, findModel, type ModelEntry} from '../engine/models.js'
import {serveModel} from '../engine/server.js'

export interface RunningModel {
  url: string
  model: ModelEntry
  /** How the model is named to a person: the default model's label, else its name. */
  label: string
  close(): Promise<void>
}

/**
 * `model` names a cached model; with `fallBackToDefault`, a name the cache lacks (the configured
 * `model` usually names a server's model) picks the default one instead. Undefined when the
 * cache holds no usable model.
 */
async function cachedModel(model: string | undefined, fallBackToDefault: boolean): Promise<ModelEntry | undefined> {
  const named = model ? await findModel(model) : undefined
  return named ?? (model && !fallBackToDefault ? undefined : await findModel())
}

export async function startModelServer(options: {model?: string; threads: number; port?: number; fallBackToDefault?: boolean}): Promise<RunningModel | undefined> {
  const entry = await cachedModel(options.model, options.fallBackToDefault ?? false)
  if (!entry) return undefined
  const engine = await EmbeddedEngine.load(entry, {threads: options.threads})
  const server = await serveModel(engine, {port: options.port})
  return {
    url: server.url,
    model: entry,
    label: entry.name === DEFAULT_MODEL.name ? DEFAULT_MODEL.label : entry.name,
    close: async () => {
      await server.close()
      await engine.close()
    },
  }
}

/** `pyagent serve-model`: the named (or default) cached model, or a ModelError that says to pull one. */
export async function serveCachedModel(options: {model?: string; threads: number; port: number}): Promise<RunningModel> {
  const server = await startModelServer(options)
  if (!server) throw new ModelError(`No ${options.model ? `model "${options.model}"` : 'model'} in the cache; run \`pyagent model pull\` first.`)
  return server
}
