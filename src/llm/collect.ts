/**
 * Reads a chat's events into one result: the one fold of a chat's events, for the agent's loop,
 * its planner and critic, and the review. `observe` sees text, usage and streamed tool calls as
 * they arrive, for callers that show tokens live, count them, or check a call before it ends.
 */
import type {ChatEvent, ChatUsage, FinishReason, ToolCall, ToolCallDelta} from './types.js'

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

export interface ChatObserver {
  onText?(delta: string): void
  onUsage?(usage: ChatUsage): void
  /** To end the answer there, abort the request's `cutShort`: the result then finishes as `stopped`. */
  onToolCallDelta?(call: ToolCallDelta): void
}

export async function collectChat(events: AsyncIterable<ChatEvent>, observe: ChatObserver = {}): Promise<ChatResult> {
  const parts: string[] = []
  const reasoning: string[] = []
  const result: Partial<ChatResult> & {toolCalls: ToolCall[]; restarts: number} = {toolCalls: [], restarts: 0}
  for await (const event of events) {
    switch (event.type) {
      case 'text':
        parts.push(event.delta)
        observe.onText?.(event.delta)
        break
      case 'reasoning':
        reasoning.push(event.delta)
        break
      case 'restart':
        // A retried attempt starts over: nothing of the abandoned one is kept, tool calls included.
        parts.length = 0
        reasoning.length = 0
        result.toolCalls.length = 0
        result.structured = undefined
        result.restarts++
        break
      case 'tool_call':
        result.toolCalls.push(event.call)
        break
      case 'tool_call_delta':
        observe.onToolCallDelta?.(event)
        break
      case 'structured':
        result.structured = event.value
        break
      case 'usage':
        result.usage = event.usage
        observe.onUsage?.(event.usage)
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
