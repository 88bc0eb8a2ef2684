/** Reads a chat's events into one result, for callers that don't render tokens as they arrive. */
import type {ChatEvent, ChatUsage, FinishReason, ToolCall} from './types.js'

export interface ChatResult {
  text: string
  reasoning: string
  toolCalls: ToolCall[]
  structured?: unknown
  usage?: ChatUsage
  finishReason: FinishReason
  endpoint: string
  model: string
  attempts: number
  latencyMs: number
  /** Attempts whose partial text was discarded before a retry. */
  restarts: number
}

export async function collectChat(events: AsyncIterable<ChatEvent>): Promise<ChatResult> {
  const parts: string[] = []
  const reasoning: string[] = []
  const result: Partial<ChatResult> & {toolCalls: ToolCall[]; restarts: number} = {toolCalls: [], restarts: 0}
  for await (const event of events) {
    switch (event.type) {
      case 'text':
        parts.push(event.delta)
        break
      case 'reasoning':
        reasoning.push(event.delta)
        break
      case 'restart':
        parts.length = 0
        reasoning.length = 0
        result.restarts++
        break
      case 'tool_call':
        result.toolCalls.push(event.call)
        break
      case 'structured':
        result.structured = event.value
        break
      case 'usage':
        result.usage = event.usage
        break
      case 'finish':
        Object.assign(result, {
          finishReason: event.reason,
          endpoint: event.endpoint,
          model: event.model,
          attempts: event.attempts,
          latencyMs: event.latencyMs,
        })
        break
    }
  }
  if (result.finishReason === undefined) throw new Error('chat events ended without a finish event')
  return {...result, text: parts.join(''), reasoning: reasoning.join('')} as ChatResult
}
