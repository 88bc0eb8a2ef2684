/** What a vLLM server serves (/v1/models with max_model_len) and its /tokenize, when present. */
import type OpenAI from 'openai'
import {z} from 'zod'

const servedModel = z.object({id: z.string(), max_model_len: z.int().positive().optional(), owned_by: z.string().optional()})
const tokenizeAnswer = z.object({count: z.int().nonnegative()})

export interface ServedModel {
  id: string
  /** The context window vLLM was started with (`--max-model-len`). */
  maxModelLen?: number
  /** Who serves it, as /v1/models says (`vllm`, `llamacpp`, `me` for llama-cpp-python, `library` for Ollama…). */
  ownedBy?: string
  /** The server's version, where it says (vLLM's /version); part of its identity, as an upgrade may change what it takes. */
  version?: string
}

const versionAnswer = z.object({version: z.string()})

/** vLLM's /version at the server's root; undefined for servers without one. */
export async function serverVersion(root: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const response = await fetch(`${root}/version`, {signal})
    if (!response.ok) {
      await response.body?.cancel()
      return undefined
    }
    return versionAnswer.parse(await response.json()).version
  } catch {
    return undefined
  }
}

export async function listServedModels(client: OpenAI, signal?: AbortSignal): Promise<ServedModel[]> {
  const page = await client.models.list({signal})
  return page.data.map((model) => {
    const parsed = servedModel.parse(model)
    return {id: parsed.id, maxModelLen: parsed.max_model_len, ownedBy: parsed.owned_by}
  })
}

/**
 * Counts tokens with the server's own tokenizer and chat template. Resolves undefined when the
 * server has no /tokenize (not vLLM, or an OpenAI proxy in front of it).
 */
export async function tokenizeOnServer(
  root: string,
  body: {model: string; messages: unknown[]} | {model: string; prompt: string},
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<number | undefined> {
  const response = await fetch(`${root}/tokenize`, {
    method: 'POST',
    headers: {'content-type': 'application/json', ...headers},
    body: JSON.stringify(body),
    signal,
  })
  if (response.status === 404 || response.status === 405) {
    await response.body?.cancel()
    return undefined
  }
  if (!response.ok) throw new Error(`${root}/tokenize answered HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`)
  return tokenizeAnswer.parse(await response.json()).count
}
