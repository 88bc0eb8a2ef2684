/** Tool results go back into the prompt and the event log, so every one is capped. */
export const MAX_TOOL_OUTPUT_CHARS = 16_000

export interface Bounded {
  text: string
  truncated: boolean
}

/**
 * Keeps the head and the tail (where errors and summaries usually are) and says how much was cut.
 * Cuts fall on a line break (or a space) where one is near: the text is redacted later, at the
 * boundary where it leaves (the event bus, the LLM client), and a secret cut in half would no
 * longer match its rule.
 */
export function bound(text: string, limit: number = MAX_TOOL_OUTPUT_CHARS): Bounded {
  if (text.length <= limit) return {text, truncated: false}
  const headEnd = atBreak(text, Math.floor(limit * 0.6), 'back')
  const tailStart = atBreak(text, text.length - (limit - headEnd), 'forward')
  const cut = tailStart - headEnd
  return {text: `${text.slice(0, headEnd)}\n… [${cut} characters cut] …\n${text.slice(tailStart)}`, truncated: true}
}

/** How far a cut may move to reach a line break, or else a space: secrets hold neither. */
const SLACK = 2000

function atBreak(text: string, at: number, direction: 'back' | 'forward'): number {
  for (const separator of [/\n/g, /\s/g]) {
    const found = direction === 'back' ? lastMatch(text, separator, at - SLACK, at) : firstMatch(text, separator, at, at + SLACK)
    // The head stops before the separator, the tail starts after it: the marker's own line breaks stand in for it.
    if (found !== undefined) return direction === 'back' ? found : found + 1
  }
  return at
}

function lastMatch(text: string, pattern: RegExp, from: number, to: number): number | undefined {
  let last: number | undefined
  for (const match of text.slice(Math.max(0, from), to).matchAll(pattern)) last = match.index + Math.max(0, from)
  return last
}

function firstMatch(text: string, pattern: RegExp, from: number, to: number): number | undefined {
  const match = pattern.exec(text.slice(from, to))
  pattern.lastIndex = 0
  return match ? match.index + from : undefined
}
