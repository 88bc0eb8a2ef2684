/** One structured LLM call as the planner and the critic make it: the checked value when the client gave one, and the text either way. */
import type {ChatRequest, ChatUsage, ModelClient} from './ports.js'

export interface StructuredAnswer {
  /** The value the client checked against `responseSchema`, when it produced one. */
  structured: unknown
  /** The answer's text, without any attempt the client restarted. */
  text: string
}

export async function structuredAnswer(model: ModelClient, request: ChatRequest, onUsage: (usage: ChatUsage) => void): Promise<StructuredAnswer> {
  let text = ''
  let structured: unknown
  for await (const event of model.chat(request)) {
    if (event.type === 'text') text += event.delta
    else if (event.type === 'restart') text = ''
    else if (event.type === 'structured') structured = event.value
    else if (event.type === 'usage') onUsage(event.usage)
  }
  return {structured, text}
}
