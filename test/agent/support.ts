/**
 * The scripted model of the agent tests: a queue of replies (or a function of the request) that
 * test/support's OpenAI-compatible server sends back in vLLM's wire format (see harness.ts).
 */
import type {ChatRequest} from '../../src/agent/ports.js'

export interface ScriptedReply {
  text?: string
  toolCalls?: {name: string; arguments: string}[]
  /** Milliseconds before each streamed piece. */
  delayMs?: number
  promptTokens?: number
  /** Scripted through the prompt token count and the test model's price (harness.ts). */
  costUsd?: number
}

export type Script = ScriptedReply | ((request: ChatRequest) => ScriptedReply | Promise<ScriptedReply>)

export class ScriptedModel {
  readonly requests: ChatRequest[] = []
  private readonly queue: Script[]

  constructor(replies: Script[], private readonly fallback?: (request: ChatRequest) => ScriptedReply | Promise<ScriptedReply>) {
    this.queue = [...replies]
  }

  /** Records the request and picks the scripted reply; a script function may throw to fail the call. */
  next(request: ChatRequest): ScriptedReply | Promise<ScriptedReply> {
    this.requests.push(structuredClone({...request, signal: undefined, responseSchema: undefined}) as ChatRequest)
    const next = this.queue.shift() ?? this.fallback
    if (!next) throw new Error('scripted model: no reply left')
    return typeof next === 'function' ? next(request) : next
  }
}

/** A tool call reply in the native protocol. */
export function call(name: string, args: Record<string, unknown>): ScriptedReply {
  return {toolCalls: [{name, arguments: JSON.stringify(args)}]}
}

/** The same action in the JSON-actions protocol. */
export function action(tool: string, args: Record<string, unknown>): ScriptedReply {
  return {text: JSON.stringify({tool, arguments: args})}
}

export function verdict(value: 'approve' | 'revise' | 'reject', feedback = 'looks right'): ScriptedReply {
  return {text: JSON.stringify({verdict: value, feedback})}
}
