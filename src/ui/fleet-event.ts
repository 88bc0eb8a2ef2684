/** A fleet task's event as one plain line: the agent's events as `pyagent run` prints them, the fleet's own (attempts, notices) in its words. */
import type {AgentEvent} from '../agent/events.js'
import type {FleetEvent} from '../fleet/schemas.js'
import {plainLine} from './plain.js'

export function fleetEventLine({seq, event}: FleetEvent): string | undefined {
  const line = fleetLine(event) ?? plainLine(event as AgentEvent)
  return line === undefined ? undefined : `${String(seq).padStart(4)} ${line}`
}

function fleetLine(event: FleetEvent['event']): string | undefined {
  switch (event.type) {
    case 'attempt_started':
      return `● attempt ${String(event.attempt)} on ${String(event.worker)}`
    case 'attempt_lapsed':
      return `⚠ attempt ${String(event.attempt)}: its worker stopped answering; the task goes back to the queue`
    case 'attempt_ended':
      return `■ attempt ${String(event.attempt)} ${String(event.status)}`
    case 'notice':
      return `  ${String(event.text)}`
    default:
      return undefined
  }
}
