/**
 * Fits a conversation into the context window. Tool outputs are the bulk of an agent's
 * conversation and the least needed later, so the oldest are shortened first, then elided;
 * only then are the oldest whole turns dropped. The system prompt and the latest user turn stay.
 */
import type {ChatMessage} from './types.js'

export interface FitOptions {
  /** Tokens available for the prompt. */
  budget: number
  /** Calibrated token count of one message. */
  count: (message: ChatMessage) => number
  /** Characters kept from each end of a shortened tool output. */
  keepChars?: number
}

export interface FitResult {
  messages: ChatMessage[]
  tokens: number
  fits: boolean
  shortened: number
  dropped: number
}

function toolText(message: ChatMessage): string | undefined {
  return message.role === 'tool' && typeof message.content === 'string' ? message.content : undefined
}

function shorten(text: string, keep: number): string {
  const elided = text.length - 2 * keep
  return `${text.slice(0, keep)}\n[… ${elided} characters of this tool output elided to fit the context window …]\n${text.slice(-keep)}`
}

const ELIDED = '[tool output elided to fit the context window]'

export function fitMessages(messages: readonly ChatMessage[], options: FitOptions): FitResult {
  const keep = options.keepChars ?? 400
  const result = [...messages]
  let tokens = result.reduce((sum, message) => sum + options.count(message), 0)
  let shortened = 0
  let dropped = 0
  const fits = () => tokens <= options.budget
  const replace = (index: number, message: ChatMessage) => {
    tokens += options.count(message) - options.count(result[index]!)
    result[index] = message
  }

  for (const pass of ['shorten', 'elide'] as const) {
    for (let index = 0; index < result.length && !fits(); index++) {
      const text = toolText(result[index]!)
      if (text === undefined) continue
      const message = result[index] as Extract<ChatMessage, {role: 'tool'}>
      if (pass === 'shorten' && text.length > 2 * keep + 200) {
        replace(index, {...message, content: shorten(text, keep)})
        shortened++
      } else if (pass === 'elide' && text !== ELIDED) {
        replace(index, {...message, content: ELIDED})
        shortened++
      }
    }
  }

  // Drop whole turns (a user message and all that follows it up to the next user message),
  // so no tool result is left without the assistant call it answers.
  let latestUser = result.length - 1
  while (latestUser >= 0 && result[latestUser]!.role !== 'user') latestUser--
  while (!fits()) {
    const start = result.findIndex((message) => message.role !== 'system' && message.role !== 'developer')
    if (start < 0 || start >= latestUser - dropped) break
    let end = start + 1
    while (end < result.length && result[end]!.role !== 'user') end++
    if (end > latestUser - dropped) break
    const removed = result.splice(start, end - start)
    for (const message of removed) tokens -= options.count(message)
    dropped += removed.length
  }
  return {messages: result, tokens, fits: fits(), shortened, dropped}
}
