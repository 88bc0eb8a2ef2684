/**
 * Running a task, wired once: what `pyagent run`, `pyagent ci --fix`, the MCP server's run tool
 * (and later the fleet) all start. It checks the sandbox and the repository, finds the endpoint (the
 * embedded model standing in when allowed), opens the services, runs the task under the
 * caller's signal, commits to git when asked, and closes everything again. The caller says how
 * events are shown: this layer never renders.
 */
import {type ApprovalMode, approver} from '../agent/approval.js'
import type {ApprovalKind} from '../agent/tools/index.js'
import {EventBus, type AgentEvent} from '../agent/events.js'
import type {RoleName} from '../agent/roles.js'
import {runTask, type TaskOutcome, UNCONFINED_NOTICE} from '../agent/run-task.js'
import type {Config} from '../config/schema.js'
import type {TaskPriority} from '../state/tasks.js'
import {allListeners, type RunListener} from '../telemetry/task-metrics.js'
import type {QueueWait} from '../telemetry/task-tracer.js'
import {telemetryTarget} from '../telemetry/target.js'
import {GitStateError} from '../workspace/errors.js'
import {isGitWorkTree} from '../workspace/repo.js'
import {detectTestCommand} from '../workspace/working-tree.js'
import {resolveEndpoint, type TaskEndpoint} from './endpoint.js'
import {openMcpTools} from './mcp-tools.js'
import type {OpenedServices} from './services.js'
import {skillTools} from './skill-tools.js'
import {wrappedAgentTools} from './wrap.js'

export interface TaskRequest {
  task: string
  role: RoleName | 'auto'
  priority: TaskPriority
  approve: ApprovalMode
  gitCommit: boolean
}

/** Where a run's events go: a terminal UI, NDJSON, plain lines, a server's event stream. */
export interface TaskOutput {
  /** Each event of the run, already redacted, in order. */
  event(event: AgentEvent): void
  /** Asks a person whether an edit or a command may go ahead; without it the approval mode decides alone. */
  ask?(kind: ApprovalKind, subject: string): Promise<boolean>
  /** A sentence for the person running it, outside the event stream (which model answers, an unconfined sandbox). */
  notice(text: string): void
  /** Called once the run is over, before the result is returned. */
  close?(): Promise<void>
}

export interface TaskRun {
  exitCode: number
  outcome: TaskOutcome
  /** The git commit made of the task's files, when one was asked for and made. */
  commit?: string
}

async function runOnServices(
  root: string,
  endpoint: TaskEndpoint,
  request: TaskRequest,
  services: OpenedServices,
  output: TaskOutput,
  signal: AbortSignal,
  listener: RunListener | undefined,
  shutdownTelemetry: (() => Promise<{droppedSpans: number}>) | undefined,
): Promise<TaskRun> {
  const {config} = endpoint
  await services.prepare?.()
  if (!services.runner.confined) output.notice(UNCONFINED_NOTICE)
  const bus = new EventBus(services.db, services.redact)
  bus.on((event) => output.event(event))
  if (listener) bus.on(listener.onEvent)
  const ask = output.ask
  // The question comes after the events that led to it, which may still be on their way through redaction.
  const askInOrder = ask && (async (kind: ApprovalKind, subject: string) => (await bus.flush(), ask(kind, subject)))
  const notice = (text: string) => output.notice(text)
  const skills = [...skillTools(root, notice), ...wrappedAgentTools(root, notice)]
  const mcp = await openMcpTools(root, services.db, {callTimeoutMs: config.mcpCallTimeoutMs, notice})
  try {
    const outcome = await runTask(
      {...services, bus, runtimeTools: [...skills, ...mcp.tools]},
      {
        task: request.task,
        role: request.role,
        priority: request.priority,
        budget: {maxSteps: config.maxSteps, maxTokens: config.maxTokens, maxCostUsd: config.maxCostUsd, timeoutSec: config.timeoutSec},
        settings: {
          protocol: config.actionProtocol,
          allowedCommands: config.allowedCommands,
          testCommand: config.testCommand ?? detectTestCommand(root),
          benchmarkCommand: config.benchmarkCommand,
          perfMarginPct: config.perfMarginPct,
          maxRevisions: config.maxRevisions,
          commandTimeoutMs: config.commandTimeoutMs,
          constrainEditSearch: endpoint.embedded && config.constrainEdits,
          memory: config.memory,
        },
        concurrency: config.concurrency,
        maxDepth: config.maxDepth,
        signal,
        approve: approver(request.approve, askInOrder),
      },
    )
    const changed = outcome.results.some((result) => result.files.length > 0)
    const commit = outcome.status === 'done' && request.gitCommit && changed ? ((await services.gitCommit?.(outcome)) ?? undefined) : undefined
    return {exitCode: outcome.exitCode, outcome, ...(commit ? {commit} : {})}
  } finally {
    await mcp.close()
    const exported = await shutdownTelemetry?.()
    if (exported?.droppedSpans) output.notice(`telemetry: ${exported.droppedSpans} span(s) could not be exported (the collector was slow, unreachable or refused them); the task was not held up`)
    await output.close?.()
  }
}

export interface ExecuteOptions {
  /** With no server answering, may the cached embedded model stand in? */
  embedded: boolean
  signal: AbortSignal
  /** Hears the run besides telemetry: a fleet worker's measurements for its server. */
  listener?: RunListener
  /** The run is a fleet task: its trace begins with its wait in the queue. */
  queued?: QueueWait
}

/** A task on the repository at `root`, from the sandbox check to the closed services. */
export async function executeTask(root: string, config: Config, request: TaskRequest, output: TaskOutput, options: ExecuteOptions): Promise<TaskRun> {
  if (!isGitWorkTree(root)) {
    throw new GitStateError(
      `${root} is not inside a git repository. PyAgent works on one: history and undo find a task's record at the repository's root, and the review and --commit use git. Run \`git init\` there first (and commit what is there), or pass --cwd.`,
    )
  }
  // commandSandbox=bwrap without bubblewrap stops the run before a model is asked anything, or loaded.
  const {useSandbox} = await import('../workspace/command-runner.js')
  useSandbox(config.commandSandbox)
  const target = telemetryTarget(config)
  // The SDK (one bundle, see build:telemetry) loads only when a collector is configured, while the endpoint is probed.
  const loadingTelemetry = target && import('../telemetry/session.js')
  const endpoint = await resolveEndpoint(config, options.signal, {embedded: options.embedded})
  try {
    if (endpoint.notice) output.notice(endpoint.notice)
    // Loaded only once a server answers: the client and the workspace are slow to import.
    const {openServices} = await import('./services.js')
    const telemetry = target && (await loadingTelemetry!).startTelemetry(target, options.queued)
    const listeners = [telemetry?.listener, options.listener].filter((listener) => listener !== undefined)
    const listener = listeners.length > 0 ? allListeners(listeners) : undefined
    const services = await openServices(root, endpoint.config, {onLlmCall: listener?.onLlmCall})
    try {
      return await runOnServices(root, endpoint, request, services, output, options.signal, listener, telemetry?.shutdown)
    } finally {
      services.close()
    }
  } finally {
    await endpoint.close()
  }
}
