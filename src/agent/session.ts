/**
 * One `pyagent run` from the opened services to the exit code: wires the event stream to the
 * chosen output (ink TUI on a terminal, NDJSON with --json, plain lines otherwise), runs the
 * task under the caller's abort signal (Ctrl-C), commits to git when asked, and maps the
 * outcome to the exit code. Ink is loaded only when the TUI is shown: it is slow to import.
 */
import type {Config} from '../config/schema.js'
import type {TaskPriority} from '../state/tasks.js'
import {Feed} from '../ui/feed.js'
import {plainLine} from '../ui/plain.js'
import {type ApprovalMode, approver} from './approval.js'
import {EventBus} from './events.js'
import {detectTestCommand} from './test-command.js'
import {runTask, type TaskOutcome, type TaskServices, UNCONFINED_NOTICE} from './run-task.js'
import type {RoleName} from './roles.js'

/** What a run needs besides the event bus, which the session makes itself. */
export interface OpenedServices extends Omit<TaskServices, 'bus'> {
  /** Refuses to start on a repository mid-merge or mid-rebase. */
  prepare?(): Promise<void>
  /** Commits the task's files to git; returns the commit hash. */
  gitCommit?(outcome: TaskOutcome): Promise<string | null>
  close(): void
}

export interface RunRequest {
  task: string
  role: RoleName | 'auto'
  priority: TaskPriority
  approve: ApprovalMode
  gitCommit: boolean
}

export interface SessionIo {
  json: boolean
  /** A terminal on both ends: the ink TUI, with approval prompts. */
  interactive: boolean
  write(text: string): void
  writeError(text: string): void
}

export async function runSession(
  root: string,
  config: Config,
  request: RunRequest,
  services: OpenedServices,
  io: SessionIo,
  signal: AbortSignal,
): Promise<{exitCode: number; outcome?: TaskOutcome}> {
  await services.prepare?.()
  if (!services.runner.confined) io.writeError(`${UNCONFINED_NOTICE}\n`)

  const bus = new EventBus(services.db, services.redact)
  const feed = new Feed()
  let ask: ((kind: 'edit' | 'command', subject: string) => Promise<boolean>) | undefined
  let ui: {unmount(): Promise<void>} | undefined
  if (io.json) {
    bus.on((event) => io.write(`${JSON.stringify(event)}\n`))
  } else if (io.interactive) {
    bus.on((event) => feed.push(event))
    const {mountRunView} = await import('../ui/mount.js')
    ui = mountRunView(feed)
    // The question comes after the events that led to it, which may still be on their way through redaction.
    ask = async (kind, subject) => {
      await bus.flush()
      return new Promise((resolve) => feed.push({type: 'approval_request', request: {kind, subject, respond: resolve}}))
    }
  } else {
    bus.on((event) => {
      const line = plainLine(event)
      if (line) io.write(`${line}\n`)
    })
  }

  try {
    const outcome = await runTask(
      {...services, bus},
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
        },
        concurrency: config.concurrency,
        maxDepth: config.maxDepth,
        signal,
        approve: approver(request.approve, ask),
      },
    )
    if (outcome.status === 'done' && request.gitCommit && services.gitCommit && outcome.results.some((result) => result.files.length > 0)) {
      const hash = await services.gitCommit(outcome)
      if (hash && !io.json) io.writeError(`git commit ${hash}\n`)
    }
    return {exitCode: outcome.exitCode, outcome}
  } finally {
    await ui?.unmount()
  }
}
