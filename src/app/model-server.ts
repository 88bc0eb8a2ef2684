/**
 * A cached model run by the embedded engine (in a process of its own) and served on 127.0.0.1 behind the same
 * OpenAI-compatible surface as vLLM: what `pyagent serve-model` starts, and what `pyagent run`
 * falls back to when no server answers.
 */
import {ModelError} from '../engine/errors.js'
import {startEngineHost} from '../engine/host-process.js'
import {DEFAULT_MODEL, findModel, type ModelEntry} from '../engine/models.js'

export interface RunningModel {
  url: string
  model: ModelEntry
  /** How the model is named to a person: the default model's label, else its name. */
  label: string
  /** Settles when the engine's process has ended: the reason, said for a person. */
  ended: Promise<string>
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
  const host = await startEngineHost({model: entry.name, threads: options.threads, port: options.port ?? 0})
  return {...host, model: entry, label: entry.name === DEFAULT_MODEL.name ? DEFAULT_MODEL.label : entry.name}
}

/** `pyagent serve-model`: the named (or default) cached model, or a ModelError that says to pull one. */
export async function serveCachedModel(options: {model?: string; threads: number; port: number}): Promise<RunningModel> {
  const server = await startModelServer(options)
  if (!server) throw new ModelError(`No ${options.model ? `model "${options.model}"` : 'model'} in the cache; run \`pyagent model pull\` first.`)
  return server
}

/** Serves until `stopped` settles; an engine that ends first is an error, not a quiet exit. */
export async function serveUntil(server: RunningModel, stopped: Promise<void>): Promise<void> {
  const ended = await Promise.race([stopped.then(() => undefined), server.ended])
  await server.close()
  if (ended) throw new ModelError(`The embedded engine's process ${ended} while serving ${server.model.name}. Run \`pyagent doctor\`, then \`pyagent serve-model\` again.`)
}
