/**
 * Turns a run's events and LLM call records into measurements of the instruments in
 * instruments.ts: task and step durations, tokens, call durations, cost, LLM errors by kind,
 * edits applied or not. It knows nothing of where they go (see Measure), so a run exporting over
 * OTLP and a fleet worker reporting to its server measure the same way.
 */
import type {AgentEvent} from '../agent/events.js'
import type {LlmCallRecord} from '../llm/usage-log.js'
import type {Measure} from './instruments.js'

const EDITING_TOOLS = new Set(['edit', 'apply_patch', 'write_file'])

/** What hears a run: each event of its bus and each LLM call its client records. */
export interface RunListener {
  onEvent(event: AgentEvent, at: number): void
  onLlmCall(record: LlmCallRecord): void
}

/** One listener that hands everything to each of `listeners`. */
export function allListeners(listeners: readonly RunListener[]): RunListener {
  return {
    onEvent: (event, at) => listeners.forEach((listener) => listener.onEvent(event, at)),
    onLlmCall: (record) => listeners.forEach((listener) => listener.onLlmCall(record)),
  }
}

interface Running {
  role: string
  start: number
  /** When the step under way began; a step lasts until the next begins or the task ends. */
  stepStart?: number
}

export class TaskMetrics implements RunListener {
  private readonly tasks = new Map<string, Running>()

  constructor(private readonly measure: Measure) {}

  /** The event bus's listener. */
  readonly onEvent = (event: AgentEvent, at: number): void => {
    switch (event.type) {
      case 'task_started':
        this.tasks.set(event.taskId, {role: event.role, start: at})
        break
      case 'step_started':
        this.startStep(this.tasks.get(event.taskId), at)
        break
      case 'tool_result':
        if (EDITING_TOOLS.has(event.tool)) this.measure('edits', 1, {'gen_ai.tool.name': event.tool, 'pyagent.edit.applied': event.status === 'ok'})
        break
      case 'task_finished':
        this.finishTask(event, at)
        break
      default:
        break
    }
  }

  private startStep(task: Running | undefined, at: number): void {
    if (!task) return
    this.endStep(task, at)
    task.stepStart = at
  }

  private finishTask(event: Extract<AgentEvent, {type: 'task_finished'}>, at: number): void {
    const task = this.tasks.get(event.taskId)
    if (!task) return
    this.tasks.delete(event.taskId)
    this.endStep(task, at)
    this.measure('taskDuration', (at - task.start) / 1000, {'gen_ai.agent.name': task.role, 'pyagent.task.status': event.status})
  }

  /** The LLM client's per-call record. */
  readonly onLlmCall = (record: LlmCallRecord): void => {
    const model = {'gen_ai.request.model': record.model, 'gen_ai.operation.name': 'chat'}
    this.measure('tokenUsage', record.promptTokens, {...model, 'gen_ai.token.type': 'input'})
    this.measure('tokenUsage', record.completionTokens, {...model, 'gen_ai.token.type': 'output'})
    const failed = record.status === 'error' ? {'error.type': record.errorKind ?? 'error'} : {}
    this.measure('operationDuration', record.latencyMs / 1000, {...model, ...failed})
    if (record.costUsd) this.measure('cost', record.costUsd, model)
    if (record.status === 'error') this.measure('llmErrors', 1, {...model, ...failed})
  }

  private endStep(task: Running, at: number): void {
    if (task.stepStart === undefined) return
    this.measure('stepDuration', (at - task.stepStart) / 1000, {'gen_ai.agent.name': task.role})
    task.stepStart = undefined
  }
}
