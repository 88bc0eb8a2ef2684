/**
 * Turns a run's events and its LLM calls into a trace per task (its metrics are
 * task-metrics.ts's). A fleet task's trace begins when it was submitted: a `fleet_task` span
 * holds a `queue_wait` span (submitted until a worker claimed it) and then the task's own. A
 * task's span starts when the task does; the rest of its tree (steps, LLM calls, tool calls,
 * checks, the commit) is built when it finishes, from the times the events
 * were emitted, so the order in which they arrive does not matter. Sub-tasks are child spans of
 * their parent's. Text leaves only when the target allows content, and then as redacted by the
 * event bus; the LLM call records carry no text at all.
 */
import {type Attributes, type Context, context as contexts, type Span, SpanKind, SpanStatusCode, trace, type Tracer} from '@opentelemetry/api'

import type {AgentEvent} from '../agent/events.js'
import type {LlmCallRecord} from '../llm/usage-log.js'

interface Timed {
  start: number
  end: number
}

interface ToolCall extends Partial<Timed> {
  callId: string
  tool: string
  arguments: unknown
  status?: string
}

interface Check extends Timed {
  kind: 'tests' | 'benchmark' | 'critic'
  attributes: Attributes
  failed: boolean
}

interface Commit extends Timed {
  txId: string
  files: number
}

interface Message {
  at: number
  content: string
}

interface TaskTrace {
  span: Span
  context: Context
  steps: number[]
  tools: Map<string, ToolCall>
  calls: (LlmCallRecord & Timed)[]
  checks: Check[]
  commits: Commit[]
  messages: Message[]
  /** The fleet task's span around this one, ended with it. */
  fleet?: Span
}

/** A fleet task's time in the queue: when it was submitted and when a worker claimed it (epoch ms). */
export interface QueueWait {
  fleetTaskId: string
  submittedAt: number
  claimedAt: number
}

const now = () => performance.timeOrigin + performance.now()

export class TaskTracer {
  private readonly tasks = new Map<string, TaskTrace>()
  /** LLM calls recorded before their task's span exists (the events reach listeners a little later). */
  private readonly early = new Map<string, (LlmCallRecord & Timed)[]>()

  constructor(
    private readonly tracer: Tracer,
    private readonly content: boolean,
    private queued?: QueueWait,
  ) {}

  /** The event bus's listener. */
  readonly onEvent = (event: AgentEvent, at: number): void => {
    if (event.type === 'task_started') {
      this.startTask(event, at)
      return
    }
    const task = this.tasks.get(event.taskId)
    if (!task) return
    switch (event.type) {
      case 'step_started':
        task.steps.push(at)
        break
      case 'tool_call':
        task.tools.set(event.callId, {callId: event.callId, tool: event.tool, arguments: event.arguments, start: at})
        break
      case 'tool_result': {
        const call = task.tools.get(event.callId) ?? {callId: event.callId, tool: event.tool, arguments: undefined, start: at}
        task.tools.set(event.callId, {...call, end: at, status: event.status})
        break
      }
      case 'check':
        if (event.durationMs === undefined) break
        task.checks.push({
          kind: event.name === 'benchmark' ? 'benchmark' : 'tests',
          start: at - event.durationMs,
          end: at,
          failed: !event.passed,
          attributes: {'pyagent.check.name': event.name, 'pyagent.check.passed': event.passed},
        })
        break
      case 'reflection':
        task.checks.push({
          kind: 'critic',
          start: at - event.durationMs,
          end: at,
          failed: event.verdict === 'reject',
          attributes: {'pyagent.check.name': 'critic', 'pyagent.critic.verdict': event.verdict, 'pyagent.critic.round': event.round},
        })
        break
      case 'committed':
        task.commits.push({start: at - event.durationMs, end: at, txId: event.txId, files: event.files.length})
        break
      case 'assistant_message':
        if (this.content) task.messages.push({at, content: event.content})
        break
      case 'task_finished':
        this.finishTask(event, task, at)
        break
      default:
        break
    }
  }

  /** The LLM client's per-call record: its span is made when its task finishes. */
  readonly onLlmCall = (record: LlmCallRecord): void => {
    const end = now()
    const call = {...record, start: end - record.latencyMs, end}
    if (!record.taskId) return
    const task = this.tasks.get(record.taskId)
    if (task) task.calls.push(call)
    else this.early.set(record.taskId, [...(this.early.get(record.taskId) ?? []), call])
  }

  private startTask(event: Extract<AgentEvent, {type: 'task_started'}>, at: number): void {
    const fleet = event.parentId ? undefined : this.fleetSpan()
    const parent = event.parentId ? this.tasks.get(event.parentId)?.context : fleet && trace.setSpan(contexts.active(), fleet)
    const attributes: Attributes = {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': event.role,
      'pyagent.task.id': event.taskId,
      'pyagent.task.depth': event.depth,
      ...(event.parentId ? {'pyagent.task.parent_id': event.parentId} : {}),
      ...(this.content ? {'pyagent.task.text': event.title} : {}),
    }
    const span = this.tracer.startSpan(`invoke_agent ${event.role}`, {startTime: at, attributes, root: !parent}, parent ?? contexts.active())
    const calls = this.early.get(event.taskId) ?? []
    this.early.delete(event.taskId)
    this.tasks.set(event.taskId, {
      span,
      context: trace.setSpan(contexts.active(), span),
      steps: [],
      tools: new Map(),
      calls,
      checks: [],
      commits: [],
      messages: [],
      ...(fleet ? {fleet} : {}),
    })
  }

  /** The first top-level task of a fleet run opens the fleet task's span and records its wait in the queue. */
  private fleetSpan(): Span | undefined {
    const queued = this.queued
    if (!queued) return undefined
    this.queued = undefined
    const attributes = {'pyagent.fleet.task.id': queued.fleetTaskId}
    const span = this.tracer.startSpan('fleet_task', {startTime: queued.submittedAt, attributes, root: true})
    const wait = this.tracer.startSpan('queue_wait', {startTime: queued.submittedAt, attributes}, trace.setSpan(contexts.active(), span))
    wait.end(queued.claimedAt)
    return span
  }

  private finishTask(event: Extract<AgentEvent, {type: 'task_finished'}>, task: TaskTrace, end: number): void {
    this.tasks.delete(event.taskId)
    const steps = task.steps.map((start, index) => ({start, end: task.steps[index + 1] ?? end, number: index + 1}))
    const stepContexts = steps.map((step) => {
      const span = this.tracer.startSpan(`step ${step.number}`, {startTime: step.start, attributes: {'pyagent.step': step.number}}, task.context)
      for (const message of task.messages.filter((item) => item.at >= step.start && item.at < step.end)) {
        span.addEvent('gen_ai.assistant.message', {'gen_ai.message.content': message.content}, message.at)
      }
      span.end(step.end)
      return {start: step.start, context: trace.setSpan(task.context, span)}
    })
    // Each piece of work belongs to the last step that began before it: a step spans its turn, its tools and what finish set off.
    const within = (start: number) => stepContexts.filter((step) => step.start <= start).at(-1)?.context ?? task.context
    let input = 0
    let output = 0
    for (const call of task.calls) {
      input += call.promptTokens
      output += call.completionTokens
      this.llmSpan(call, within(call.start))
    }
    for (const call of task.tools.values()) this.toolSpan(call, within(call.start ?? end), end)
    for (const check of task.checks) {
      const span = this.tracer.startSpan(`check ${check.kind}`, {startTime: check.start, attributes: {'pyagent.check.kind': check.kind, ...check.attributes}}, within(check.start))
      if (check.failed) span.setStatus({code: SpanStatusCode.ERROR})
      span.end(check.end)
    }
    for (const commit of task.commits) {
      this.tracer.startSpan('commit', {startTime: commit.start, attributes: {'pyagent.tx.id': commit.txId, 'pyagent.tx.files': commit.files}}, within(commit.start)).end(commit.end)
    }
    task.span.setAttributes({
      'pyagent.task.status': event.status,
      'pyagent.task.steps': steps.length,
      'gen_ai.usage.input_tokens': input,
      'gen_ai.usage.output_tokens': output,
      'pyagent.task.cost_usd': task.calls.reduce((total, call) => total + (call.costUsd ?? 0), 0),
    })
    if (event.status !== 'done') task.span.setStatus({code: SpanStatusCode.ERROR, message: event.status})
    task.span.end(end)
    task.fleet?.end(end)
  }

  private llmSpan(call: LlmCallRecord & Timed, parent: Context): void {
    const attributes: Attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': call.model,
      'gen_ai.response.model': call.model,
      'gen_ai.usage.input_tokens': call.promptTokens,
      'gen_ai.usage.output_tokens': call.completionTokens,
      'server.address': call.endpoint,
      'pyagent.llm.usage_source': call.usageSource,
      'pyagent.llm.attempts': call.attempts,
      ...(call.cachedTokens == null ? {} : {'gen_ai.usage.cache_read.input_tokens': call.cachedTokens}),
      ...(call.finishReason ? {'gen_ai.response.finish_reasons': [call.finishReason]} : {}),
      ...(call.firstTokenMs == null ? {} : {'pyagent.llm.first_token_ms': call.firstTokenMs}),
      ...(call.costUsd == null ? {} : {'pyagent.llm.cost_usd': call.costUsd}),
      ...(call.status === 'error' ? {'error.type': call.errorKind ?? 'error'} : {}),
    }
    const span = this.tracer.startSpan(`chat ${call.model}`, {kind: SpanKind.CLIENT, startTime: call.start, attributes}, parent)
    if (call.status === 'error') span.setStatus({code: SpanStatusCode.ERROR, message: call.errorKind ?? 'error'})
    span.end(call.end)
  }

  private toolSpan(call: ToolCall, parent: Context, taskEnd: number): void {
    const attributes: Attributes = {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': call.tool,
      'gen_ai.tool.call.id': call.callId,
      'pyagent.tool.status': call.status ?? 'unfinished',
      ...(this.content && call.arguments !== undefined ? {'gen_ai.tool.call.arguments': JSON.stringify(call.arguments)} : {}),
    }
    const span = this.tracer.startSpan(`execute_tool ${call.tool}`, {kind: SpanKind.INTERNAL, startTime: call.start ?? taskEnd, attributes}, parent)
    if (call.status !== 'ok') span.setStatus({code: SpanStatusCode.ERROR, message: call.status ?? 'unfinished'})
    span.end(call.end ?? taskEnd)
  }
}
