/**
 * One `pyagent run` from start to exit code: checks that an endpoint answers, wires the event
 * stream to the chosen output (ink TUI on a terminal, NDJSON with --json, plain lines
 * otherwise), turns Ctrl-C into an abort, runs the task, and maps its outcome to the exit code.
 */
import {render} from 'ink'
import React from 'react'

import type {Config} from '../config/schema.js'
import type {StateDb} from '../state/db.js'
import type {TaskPriority} from '../state/tasks.js'
import {Feed} from '../ui/feed.js'
import {plainLine} from '../ui/plain.js'
import {RunView} from '../ui/RunView.js'
import {type ApprovalMode, approver} from './approval.js'
import {noEndpointMessage} from './endpoint-help.js'
import {EventBus} from './events.js'
import type {CheaperModel} from './loop.js'
import type {CommandRunner, ModelClient, Redactor, TextEngine, WorkspacePort} from './ports.js'
import {detectTestCommand} from './tools.js'
import {EXIT_CODES, runTask, type TaskOutcome} from './run-task.js'
import type {RoleName} from './roles.js'

export interface OpenedServices {
  db: StateDb
  workspace: WorkspacePort
  engine: TextEngine
  runner: CommandRunner
  redact: Redactor
  model: ModelClient
  cheaperModel?: CheaperModel
  /** The endpoints that will be tried, for the message when none answers. */
  endpoints: readonly string[]
  /** Resolves when an endpoint serves a model; rejects with the reason otherwise. */
  probe(signal: AbortSignal): Promise<void>
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

/** An expected failure before the task could start; the command prints it and exits 1. */
export class RunSetupError extends Error {
  override readonly name = 'RunSetupError'
}

export async function runSession(
  root: string,
  config: Config,
  request: RunRequest,
  services: OpenedServices,
  io: SessionIo,
  signal: AbortSignal,
): Promise<{exitCode: number; outcome?: TaskOutcome}> {
  try {
    await services.probe(signal)
  } catch (error) {
    if (signal.aborted) return {exitCode: EXIT_CODES.interrupted}
    throw new RunSetupError(noEndpointMessage(services.endpoints, firstLine((error as Error).message)))
  }
  await services.prepare?.()

  const bus = new EventBus(services.db)
  const feed = new Feed()
  let ask: ((kind: 'edit' | 'command', subject: string) => Promise<boolean>) | undefined
  let ui: ReturnType<typeof render> | undefined
  if (io.json) {
    bus.on((event) => io.write(`${JSON.stringify(event)}\n`))
  } else if (io.interactive) {
    bus.on((event) => feed.push(event))
    ui = render(React.createElement(RunView, {feed}), {exitOnCtrlC: false})
    ask = (kind, subject) => new Promise((resolve) => feed.push({type: 'approval_request', request: {kind, subject, respond: resolve}}))
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
          commandTimeoutMs: COMMAND_TIMEOUT_MS,
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
    if (ui) {
      ui.unmount()
      await ui.waitUntilExit()
    }
  }
}

const COMMAND_TIMEOUT_MS = 300_000

function firstLine(text: string): string {
  return text.split('\n')[0]!.replace(/\.$/, '')
}
