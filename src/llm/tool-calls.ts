/** Tool calls: assembled from streamed deltas, arguments parsed without ever throwing at the caller. */
import type OpenAI from 'openai'

import type {ChatMessage, ParsedArguments, ToolCall, ToolCallDelta} from './types.js'

type WireToolCallDelta = OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta.ToolCall

export function parseToolArguments(text: string): ParsedArguments {
  // Some tool parsers send no arguments at all for a tool without parameters.
  if (text.trim() === '') return {ok: true, value: {}}
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return {ok: true, value: value as Record<string, unknown>}
    }
    return {ok: false, error: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`}
  } catch (error) {
    return {ok: false, error: (error as Error).message}
  }
}

/** The tool message that tells the model its call was malformed, so it can try again. */
export function invalidArgumentsObservation(call: ToolCall): ChatMessage {
  const reason = call.arguments.ok ? 'no error' : call.arguments.error
  return {
    role: 'tool',
    tool_call_id: call.id,
    content:
      `Error: the arguments of ${call.name} are not valid JSON (${reason}). ` +
      `You sent: ${call.argumentsText.slice(0, 500)}\nCall ${call.name} again with one JSON object matching its parameters.`,
  }
}

interface PartialCall {
  id: string
  name: string
  args: string
}

/** A server that sends no id still gets one: the tool result must name the call it answers. */
const callId = (call: PartialCall, index: number) => call.id || `call-${index}`

/** vLLM sends a call's id, type and name in its first delta and the arguments in later pieces, all keyed by index. */
export class ToolCallAssembler {
  private readonly calls = new Map<number, PartialCall>()

  /** Folds the deltas in; returns each call they touched as it stands now. */
  push(deltas: WireToolCallDelta[]): ToolCallDelta[] {
    const touched: ToolCallDelta[] = []
    for (const delta of deltas) {
      let call = this.calls.get(delta.index)
      if (!call) {
        call = {id: '', name: '', args: ''}
        this.calls.set(delta.index, call)
      }
      if (delta.id) call.id = delta.id
      if (delta.function?.name) call.name += delta.function.name
      const added = delta.function?.arguments ?? ''
      call.args += added
      touched.push({index: delta.index, id: callId(call, delta.index), name: call.name, argumentsText: call.args, added})
    }
    return touched
  }

  get size(): number {
    return this.calls.size
  }

  finish(): ToolCall[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => ({
        id: callId(call, index),
        name: call.name,
        argumentsText: call.args,
        arguments: parseToolArguments(call.args),
      }))
  }
}
