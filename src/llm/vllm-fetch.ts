/**
 * The fetch the openai SDK uses for vLLM.
 * - The SDK reads an error's message only from the nested body `{error: {message, …}}`
 *   (vLLM >= 0.10.1); older vLLM answers with a flat `{object: "error", message, …}`, whose
 *   message the SDK would drop. Error bodies are rewritten to the nested shape so LlmError can
 *   always name vLLM's own message.
 * - A streamed answer's body is handed to the SDK in pieces of at most STREAM_PIECE_BYTES: the
 *   SDK's SSE splitter (openai 6.x) copies the rest of its buffer after every event, which costs
 *   time quadratic in the size of one network read, and reads grow when the consumer is busy.
 */
export function normaliseErrorBody(text: string): string {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return JSON.stringify({error: {message: text.trim().slice(0, 1000) || 'empty error body'}})
  }
  if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>
    if (typeof record.error === 'object' && record.error !== null) return text
    if (typeof record.message === 'string' || record.object === 'error') {
      return JSON.stringify({error: {message: record.message, type: record.type, param: record.param, code: record.code}})
    }
    if (typeof record.detail === 'string') return JSON.stringify({error: {message: record.detail}})
  }
  return JSON.stringify({error: {message: text.slice(0, 1000)}})
}

/** Small enough that the SDK's copying stays linear, large enough that a piece holds several events. */
export const STREAM_PIECE_BYTES = 2048

/** Views of each body chunk, no byte copied; where they cut does not matter, the SDK joins pieces. */
export function streamInPieces(maxBytes: number): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    transform(chunk, controller) {
      for (let start = 0; start < chunk.length; start += maxBytes) controller.enqueue(chunk.subarray(start, start + maxBytes))
    },
  })
}

export const vllmFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init)
  if (response.ok) {
    if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) return response
    const {status, statusText, headers} = response
    return new Response(response.body.pipeThrough(streamInPieces(STREAM_PIECE_BYTES)), {status, statusText, headers})
  }
  const headers = new Headers(response.headers)
  headers.delete('content-length')
  headers.delete('content-encoding')
  headers.set('content-type', 'application/json')
  return new Response(normaliseErrorBody(await response.text()), {status: response.status, statusText: response.statusText, headers})
}
