/** One line that says what memory put into a task's prompt, for the TUI and the plain output alike. */
import type {AgentEvent} from '../agent/events.js'

export function describeMemory(event: Extract<AgentEvent, {type: 'memory_used'}>): string {
  const parts: string[] = []
  if (event.instructions.length > 0) parts.push(event.instructions.join(', '))
  if (event.map) parts.push(`map of ${event.map.definitions} definitions in ${event.map.files} files (${event.map.tokens} tokens)`)
  if (event.facts.length > 0) parts.push(`${event.facts.length} learned fact${event.facts.length === 1 ? '' : 's'} (${event.facts.map((fact) => `#${fact.id}`).join(', ')})`)
  if (event.problem) parts.push(event.problem)
  return parts.length === 0 ? 'nothing' : parts.join('; ')
}
