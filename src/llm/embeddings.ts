/**
 * The embeddings endpoint (vLLM's `/v1/embeddings`, or any OpenAI-compatible one), spoken with
 * the official client like the chat endpoint. Its answers are checked before use: a vector of
 * the wrong count or shape would index garbage silently.
 */
import OpenAI from 'openai'
import {z} from 'zod'

import {LlmError, toLlmError} from './errors.js'

export interface EmbeddingsSettings {
  url: string
  /** Unset: the first model the endpoint serves. */
  model?: string
  apiKey: string
  timeoutMs: number
}

/** What the texts of one request are: questions asked, or the passages searched. */
export type EmbeddingInput = 'query' | 'passage'

export interface EmbeddingsClient {
  readonly model: string
  embed(texts: readonly string[], input: EmbeddingInput): Promise<Float32Array[]>
}

const answerSchema = z.object({data: z.array(z.object({index: z.int().nonnegative(), embedding: z.array(z.number()).min(1)}))})

/** Connects to the endpoint and settles the model (asking the endpoint when none is configured); throws LlmError when it does not answer. */
export async function connectEmbeddings(settings: EmbeddingsSettings): Promise<EmbeddingsClient> {
  const client = new OpenAI({baseURL: settings.url, apiKey: settings.apiKey, maxRetries: 0, timeout: settings.timeoutMs, logLevel: 'off'})
  let model = settings.model
  try {
    model ??= (await client.models.list()).data[0]?.id
  } catch (error) {
    throw toLlmError(error, settings.url)
  }
  if (model === undefined) throw new LlmError({kind: 'http', endpoint: settings.url, detail: 'the endpoint serves no model', retryable: false})
  const chosen = model
  return {
    model: chosen,
    async embed(texts, input) {
      let answer: unknown
      try {
        // input_type is not in the client's types; the client sends the body's fields as given.
        const request = {model: chosen, input: [...texts], encoding_format: 'float' as const, input_type: input}
        answer = await client.embeddings.create(request)
      } catch (error) {
        throw toLlmError(error, settings.url)
      }
      const parsed = answerSchema.safeParse(answer)
      if (!parsed.success || parsed.data.data.length !== texts.length) {
        throw new LlmError({kind: 'structured_output', endpoint: settings.url, detail: 'an embeddings answer without one vector per input', retryable: false})
      }
      const vectors: Float32Array[] = []
      for (const {index, embedding} of parsed.data.data) vectors[index] = Float32Array.from(embedding)
      return vectors
    },
  }
}
