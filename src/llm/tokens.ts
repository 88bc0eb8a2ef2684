/**
 * Local token counts with one tiktoken encoder (WASM memory: freed explicitly), calibrated by
 * the server's own prompt counts, since the served model's tokenizer is rarely tiktoken's.
 */
import {get_encoding, type Tiktoken, type TiktokenEncoding} from '@dqbd/tiktoken'

import type {ChatMessage} from './types.js'

/** Role markers and separators a chat template adds around each message, roughly. */
const PER_MESSAGE_OVERHEAD = 4

function messageText(message: ChatMessage): string {
  const parts: string[] = []
  const content = message.content
  if (typeof content === 'string') parts.push(content)
  else if (Array.isArray(content)) {
    for (const part of content) if (part.type === 'text') parts.push(part.text)
  }
  if (message.role === 'assistant') {
    for (const call of message.tool_calls ?? []) {
      if (call.type === 'function') parts.push(call.function.name, call.function.arguments)
    }
  }
  return parts.join('\n')
}

export class TokenCounter {
  private encoder: Tiktoken | undefined
  /** Messages are usually the same objects from step to step: count each once. */
  private readonly cache = new WeakMap<ChatMessage, number>()
  /** Server tokens per local token, learned from usage. */
  private ratio = 1

  constructor(readonly encoding: TiktokenEncoding) {
    this.encoder = get_encoding(encoding)
  }

  count(text: string): number {
    if (!this.encoder) throw new Error('TokenCounter used after free()')
    return this.encoder.encode_ordinary(text).length
  }

  /** Local count of one message, before calibration. */
  countMessage(message: ChatMessage): number {
    let tokens = this.cache.get(message)
    if (tokens === undefined) {
      tokens = this.count(messageText(message)) + PER_MESSAGE_OVERHEAD
      this.cache.set(message, tokens)
    }
    return tokens
  }

  countMessages(messages: readonly ChatMessage[]): number {
    let total = 0
    for (const message of messages) total += this.countMessage(message)
    return total
  }

  /** A local count scaled to what the server would count. */
  calibrated(localTokens: number): number {
    return Math.ceil(localTokens * this.ratio)
  }

  get calibration(): number {
    return this.ratio
  }

  /** Moves the ratio toward the server's count; bounded so one odd answer cannot skew fitting. */
  reconcile(localTokens: number, serverTokens: number): void {
    if (localTokens <= 0 || serverTokens <= 0) return
    const observed = Math.min(2, Math.max(0.5, serverTokens / localTokens))
    this.ratio = this.ratio * 0.7 + observed * 0.3
  }

  free(): void {
    this.encoder?.free()
    this.encoder = undefined
  }

  [Symbol.dispose](): void {
    this.free()
  }
}
