/**
 * The fetch the openai SDK uses for vLLM. The SDK reads an error's message only from the nested
 * body `{error: {message, …}}` (vLLM >= 0.10.1); older vLLM answers with a flat
 * `{object: "error", message, …}`, whose message the SDK would drop. Error bodies are
 * rewritten to the nested shape so LlmError can always name vLLM's own message.
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

export const vllmFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init)
  if (response.ok) return response
  const headers = new Headers(response.headers)
  headers.delete('content-length')
  headers.delete('content-encoding')
  headers.set('content-type', 'application/json')
  return new Response(normaliseErrorBody(await response.text()), {status: response.status, statusText: response.statusText, headers})
}
