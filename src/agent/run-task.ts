/**
 * Runs one task end to end: records it, runs one agent in its role, or (role auto) plans
 * sub-tasks and runs them as child tasks: in parallel under a concurrency limit, in dependency
 * order, within a depth limit, refusing any that repeats an ancestor. Every result is
 * attributed to the task that produced it, and the row records status, summary, transaction,
 * tokens and cost.
 */
import {RepoInstructions, renderRootInstructions} from '../memory/instructions.js'
import type {StateDb} from '../state/db.js'
import {finishTask, type LineageRow, type TaskPriority} from '../state/tasks.js'
import {Budget, type BudgetLimits} from './budget.js'
import type {EventBus, RunStatus} from './events.js'
import {repeatedAncestor, startTask} from './lineage.js'
import {Agent, type AgentResult, type AgentSettings, type CheaperModel} from './loop.js'
import {plan, type PlannedTask, validatePlan} from './planner.js'
import type {CommandRunner, MemoryPort, ModelClient, Redactor, TextEngine, WorkspacePort} from './ports.js'
import {type RoleName, roleNamed} from './roles.js'
import type {ApprovalKind, Tool} from './tools/index.js'

export interface TaskServices {
  db: StateDb
  workspace: WorkspacePort
  engine: TextEngine
  runner: CommandRunner
  memory: MemoryPort
  redact: Redactor
  model: ModelClient
  cheaperModel?: CheaperModel
  bus: EventBus
  /** Tools the app layer found for this run (MCP servers'), offered to every role beside its own. */
  runtimeTools?: readonly Tool[]
}

export interface RunTaskOptions {
  task: string
  role: RoleName | 'auto'
  priority: TaskPriority
  budget: BudgetLimits
  settings: AgentSettings
  /** Sub-tasks running at once. */
  concurrency: number
  /** How deep sub-tasks may nest below the task (1: sub-tasks, but no sub-sub-tasks). */
  maxDepth: number
  signal: AbortSignal
  approve(kind: ApprovalKind, subject: string): Promise<boolean>
}

export interface TaskResult {
  taskId: string
  parentId: string | null
  title: string
  role: string
  status: RunStatus | 'skipped'
  summary: string
  txId?: string
  files: string[]
}

export interface TaskOutcome {
  taskId: string
  status: RunStatus
  summary: string
  exitCode: number
  /** The task and every sub-task, each with what it produced. */
  results: TaskResult[]
  tokens: number
  costUsd: number
}

/** Exit codes of `pyagent run`, documented in its help. */
export const EXIT_CODES: Record<RunStatus, number> = {
  done: 0,
  failed: 1,
  refused: 1,
  budget_exhausted: 2,
  rejected: 3,
  interrupted: 130,
}

/** Which child outcome decides the parent's status, most decisive first. */
const SEVERITY: readonly RunStatus[] = ['interrupted', 'budget_exhausted', 'failed', 'rejected']

/** Said once per run, on stderr and as an event, when the commands agents run are not confined by bubblewrap. */
export const UNCONFINED_NOTICE =
  'commands run unconfined here (bubblewrap is missing, unusable or off): one over files this run changed runs only when approved, and is refused under --json or without a terminal unless --approve commands is given; install bubblewrap (apt-get install bubblewrap) to confine them'

/**
 * The task text is redacted before it is stored: it becomes the row's title, the events' and
 * the git commit's message. The event log is complete when this returns.
 */
export async function runTask(services: TaskServices, options: RunTaskOptions): Promise<TaskOutcome> {
  const runner = new TaskRunner(services, options)
  const title = await services.redact(options.task)
  const root = startTask(services.db, {title, role: options.role, priority: options.priority})
  const result = await runner.execute(root, options.role)
  await services.bus.flush()
  return {
    taskId: root.id,
    status: result.status as RunStatus,
    summary: result.summary,
    exitCode: EXIT_CODES[result.status as RunStatus],
    results: runner.results,
    tokens: runner.budget.tokens,
    costUsd: runner.budget.costUsd,
  }
}

class TaskRunner {
  readonly budget: Budget
  readonly results: TaskResult[] = []
  private readonly instructions: RepoInstructions
  /** What this run's agents committed so far: later agents' commands may run it (see ToolContext.landed). */
  private readonly landed = new Set<string>()

  constructor(
    private readonly services: TaskServices,
    private readonly options: RunTaskOptions,
  ) {
    this.budget = new Budget(options.budget)
    this.instructions = new RepoInstructions(services.workspace.root)
  }

  async execute(row: LineageRow, role: RoleName | 'auto'): Promise<TaskResult> {
    const {bus, db} = this.services
    bus.emit({type: 'task_started', taskId: row.id, parentId: row.parent_id, title: row.title, role, depth: row.depth})
    if (row.parent_id === null && !this.services.runner.confined) bus.emit({type: 'commands_unconfined', taskId: row.id, detail: UNCONFINED_NOTICE})
    const outcome = role === 'auto' ? await this.runPlanned(row) : await this.runAgent(row, role)
    const summary = await this.services.redact(outcome.summary)
    finishTask(db, row.id, {status: outcome.status, summary, txId: outcome.txId, ...this.budget.spentBy(row.id)})
    bus.emit({type: 'task_finished', taskId: row.id, status: outcome.status, summary})
    const result: TaskResult = {
      taskId: row.id,
      parentId: row.parent_id,
      title: row.title,
      role,
      status: outcome.status,
      summary,
      txId: outcome.txId,
      files: outcome.files,
    }
    this.results.push(result)
    return result
  }

  /** One agent; a commit that collides with a parallel task's is retried once on fresh content. */
  private async runAgent(row: LineageRow, roleName: RoleName): Promise<AgentResult> {
    const {services, options} = this
    const attempt = () =>
      new Agent({
        taskId: row.id,
        task: row.title,
        role: roleNamed(roleName),
        runtimeTools: services.runtimeTools,
        model: services.model,
        cheaperModel: services.cheaperModel,
        workspace: services.workspace,
        engine: services.engine,
        runner: services.runner,
        memory: services.memory,
        landed: this.landed,
        bus: services.bus,
        budget: this.budget,
        signal: options.signal,
        settings: options.settings,
        instructions: this.instructions,
        approve: options.approve,
      }).run()
    let result = await attempt()
    if (result.collided) {
      services.bus.emit({type: 'rolled_back', taskId: row.id, reason: `${result.summary} Retrying once on fresh content.`})
      result = await attempt()
    }
    for (const file of result.files) this.landed.add(file)
    return result
  }

  private async runPlanned(row: LineageRow): Promise<AgentResult> {
    const {db, bus} = this.services
    let planned: PlannedTask[]
    try {
      ;({subtasks: planned} = await plan(this.services.model, row.title, {
        signal: this.options.signal,
        taskId: row.id,
        instructions: renderRootInstructions(this.instructions.atRoot()),
        onUsage: (usage) => {
          this.budget.addUsage(row.id, usage.totalTokens, usage.costUsd ?? 0)
          bus.emit({
            type: 'usage',
            taskId: row.id,
            promptTokens: usage.promptTokens,
            completionTokens: usage.completionTokens,
            costUsd: usage.costUsd ?? 0,
            totalTokens: this.budget.tokens,
            totalCostUsd: this.budget.costUsd,
          })
        },
      }))
    } catch (error) {
      if (this.options.signal.aborted) return {status: 'interrupted', summary: 'interrupted while planning; nothing was written', files: []}
      return {status: 'failed', summary: `planning failed: ${(error as Error).message}`, files: []}
    }
    // Sub-task titles become rows like the task's own, so they are stored redacted like it.
    const subtasks = await Promise.all(planned.map(async (subtask) => ({...subtask, title: await this.services.redact(subtask.title)})))
    bus.emit({type: 'plan', taskId: row.id, subtasks: subtasks.map(({key, title, role, dependsOn}) => ({key, title, role, dependsOn}))})

    const refusals = validatePlan(subtasks)
    for (const subtask of subtasks) {
      if (refusals.has(subtask.key)) continue
      const repeated = repeatedAncestor(db, row.id, subtask.title)
      if (repeated) refusals.set(subtask.key, `it repeats ${repeated.id === row.id ? 'the task that planned it' : `its ancestor task ${repeated.id}`} ("${repeated.title}"): a cycle`)
      else if (row.depth + 1 > this.options.maxDepth) refusals.set(subtask.key, `the depth limit (${this.options.maxDepth}) is reached`)
    }

    const children = new Map<string, {subtask: PlannedTask; row: LineageRow}>()
    for (const subtask of subtasks) {
      const refusal = refusals.get(subtask.key)
      const child = startTask(db, {title: subtask.title, role: subtask.role, priority: row.priority, parent: row, status: refusal ? 'refused' : 'pending'})
      if (refusal) {
        finishTask(db, child.id, {status: 'refused', summary: refusal, tokens: 0, costUsd: 0})
        bus.emit({type: 'subtask_refused', taskId: row.id, title: subtask.title, reason: refusal})
        this.results.push({taskId: child.id, parentId: row.id, title: subtask.title, role: subtask.role, status: 'refused', summary: refusal, files: []})
      } else {
        children.set(subtask.key, {subtask, row: child})
      }
    }
    const finished = await this.schedule(children)
    return aggregate(finished)
  }

  /** Starts each sub-task once its dependencies are done, at most `concurrency` at a time. */
  private async schedule(children: Map<string, {subtask: PlannedTask; row: LineageRow}>): Promise<TaskResult[]> {
    const done = new Map<string, TaskResult>()
    const waiting = new Map(children)
    const running = new Map<string, Promise<void>>()
    const skip = (key: string, reason: string) => {
      const {subtask, row} = waiting.get(key)!
      waiting.delete(key)
      finishTask(this.services.db, row.id, {status: 'skipped', summary: reason, tokens: 0, costUsd: 0})
      const result: TaskResult = {taskId: row.id, parentId: row.parent_id, title: subtask.title, role: subtask.role, status: 'skipped', summary: reason, files: []}
      this.results.push(result)
      done.set(key, result)
    }
    while (waiting.size > 0 || running.size > 0) {
      for (const [key, {subtask, row}] of [...waiting]) {
        if (this.options.signal.aborted) {
          skip(key, 'not started: the run was interrupted')
          continue
        }
        const blocked = subtask.dependsOn.map((dependency) => done.get(dependency)).find((result) => result && result.status !== 'done')
        if (blocked || subtask.dependsOn.some((dependency) => !children.has(dependency))) {
          skip(key, `skipped: a sub-task it depends on did not finish (${blocked?.title ?? 'refused'})`)
          continue
        }
        if (running.size >= this.options.concurrency || !subtask.dependsOn.every((dependency) => done.has(dependency))) continue
        waiting.delete(key)
        running.set(
          key,
          this.execute(row, subtask.role).then((result) => {
            done.set(key, result)
            running.delete(key)
          }),
        )
      }
      if (running.size > 0) await Promise.race(running.values())
    }
    return [...children.keys()].map((key) => done.get(key)!)
  }
}

function aggregate(results: readonly TaskResult[]): AgentResult {
  const lines = results.map((result) => `- [${result.taskId.slice(0, 8)}] ${result.role}: ${result.title} → ${result.status}: ${result.summary}`)
  const summary = lines.join('\n')
  const files = results.flatMap((result) => result.files)
  if (results.length === 0) return {status: 'refused', summary: 'every sub-task of the plan was refused', files}
  const decisive = SEVERITY.find((status) => results.some((result) => result.status === status))
  return {status: decisive ?? 'done', summary, files}
}
