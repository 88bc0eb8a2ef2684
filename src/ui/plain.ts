/** Output for a run without a terminal and without --json (a log file, a CI step): one plain line per thing that happened. */
import type {AgentEvent} from '../agent/events.js'
import {describeMemory} from './memory-line.js'

export function plainLine(event: AgentEvent): string | undefined {
  switch (event.type) {
    case 'task_started':
      return `${'  '.repeat(event.depth)}▶ ${event.role}: ${event.title} [${event.taskId.slice(0, 8)}]`
    case 'tool_result':
      return `  ${event.status === 'ok' ? '✔' : event.status === 'refused' ? '⊘' : '✖'} ${event.tool}${event.status === 'ok' ? '' : `: ${event.output.split('\n')[0]}`}`
    case 'diff':
      return `  ~ ${event.path} +${event.added} -${event.removed}`
    case 'check':
      return `  ${event.passed ? '✔' : '✖'} ${event.name}`
    case 'reflection':
      return `  review: ${event.verdict}${event.feedback ? ` — ${event.feedback}` : ''}`
    case 'subtask_refused':
      return `  refused sub-task "${event.title}": ${event.reason}`
    case 'protocol':
      return `  switched to JSON actions (${event.reason})`
    case 'model_switch':
      return `  moved to ${event.model} (${event.reason})`
    case 'committed':
      return `  committed ${event.files.join(', ')} (transaction ${event.txId})`
    case 'rolled_back':
      return `  rolled back: ${event.reason}`
    case 'memory_used':
      return `  memory: ${describeMemory(event)}`
    case 'task_finished':
      return `■ ${event.status} [${event.taskId.slice(0, 8)}]: ${event.summary}`
    default:
      return undefined
  }
}
