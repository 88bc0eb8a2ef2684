/** Tool results go back into the prompt and the event log, so every one is capped. */
export const MAX_TOOL_OUTPUT_CHARS = 16_000

export interface Bounded {
  text: string
  truncated: boolean
}

/** Keeps the head and the tail (where errors and summaries usually are) and says how much was cut. */
export function bound(text: string, limit: number = MAX_TOOL_OUTPUT_CHARS): Bounded {
  if (text.length <= limit) return {text, truncated: false}
  const head = Math.floor(limit * 0.6)
  const tail = limit - head
  const cut = text.length - head - tail
  return {text: `${text.slice(0, head)}\n… [${cut} characters cut] …\n${text.slice(text.length - tail)}`, truncated: true}
}
