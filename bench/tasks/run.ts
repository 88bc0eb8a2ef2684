/**
 * Runs `pyagent run` on one task, as a person would, in a fresh copy of its repository, then
 * judges the result with the hidden tests. What the run did is read from its NDJSON events.
 */
import {execa} from 'execa'
import {fileURLToPath} from 'node:url'
import {rmSync} from 'node:fs'

import {layOut, runTests} from './repo.js'
import type {BenchTask, FixStep} from './task.js'

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
const EDIT_TOOLS = new Set(['edit', 'apply_patch', 'write_file'])

export interface RunOptions {
  /** The OpenAI-compatible /v1 URL; none: PyAgent's default, which falls back to the embedded model. */
  endpoint?: string
  model?: string
  maxSteps: number
  timeoutSec: number
  /** Settings written to the task repository's .pyagent/config.json. */
  config?: Record<string, unknown>
  keep?: boolean
}

export interface TaskOutcome {
  id: string
  language: string
  kind: string
  solved: boolean
  /** How the run ended: the task's status, or `crashed` when it printed none. */
  ended: string
  exitCode: number
  /** Model turns (one per LLM call). */
  steps: number
  tokens: number
  wallMs: number
  editsProposed: number
  editsApplied: number
  /** Why it was not solved, in a line: the run's summary or the hidden test's last output. */
  note: string
}

interface Event {
  type: string
  taskId?: string
  tool?: string
  callId?: string
  status?: string
  summary?: string
  totalTokens?: number
}

function parseEvents(stdout: string): Event[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Event]
      } catch {
        return []
      }
    })
}

export async function runTask(task: BenchTask, options: RunOptions): Promise<TaskOutcome> {
  const root = layOut(task, options.config)
  const started = performance.now()
  const run = await execa(
    process.execPath,
    [BIN, 'run', '--task', task.task, '--json', '--cwd', root, '--max-steps', String(options.maxSteps), '--timeout', String(options.timeoutSec)],
    {
      reject: false,
      stdin: 'ignore',
      env: {
        ...(options.endpoint ? {PYAGENT_BASE_URL: options.endpoint} : {}),
        ...(options.model ? {PYAGENT_MODEL: options.model} : {}),
      },
      timeout: (options.timeoutSec + 60) * 1000,
    },
  )
  const wallMs = performance.now() - started
  const events = parseEvents(String(run.stdout))
  const edits = new Map(events.filter((event) => event.type === 'tool_call' && EDIT_TOOLS.has(event.tool!)).map((event) => [event.callId!, event]))
  const applied = events.filter((event) => event.type === 'tool_result' && edits.has(event.callId!) && event.status === 'ok').length
  const finished = events.find((event) => event.type === 'task_finished' && event.taskId === events[0]?.taskId)
  const hidden = runTests(task, root, 'hidden')
  if (!options.keep) rmSync(root, {recursive: true, force: true})
  const usage = events.filter((event) => event.type === 'usage')
  return {
    id: task.id,
    language: task.language,
    kind: task.kind,
    solved: hidden.passed,
    ended: finished?.status ?? 'crashed',
    exitCode: run.exitCode ?? -1,
    steps: usage.length,
    tokens: usage.at(-1)?.totalTokens ?? 0,
    wallMs,
    editsProposed: edits.size,
    editsApplied: applied,
    note: hidden.passed ? '' : oneLine(finished?.summary ?? String(run.stderr).trim().split('\n').at(-1) ?? ''),
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').slice(0, 160)
}

/** The model answers of a run that applies the reference fix, as native tool calls, then approves it as the critic. */
export function replayOfFix(steps: readonly FixStep[]) {
  const calls = steps.map((step) =>
    'content' in step
      ? {name: 'write_file', arguments: JSON.stringify({path: step.path, content: step.content})}
      : {name: 'edit', arguments: JSON.stringify({path: step.path, edits: [{search: step.search, replace: step.replace}]})},
  )
  return [
    ...calls.map((call) => ({type: 'completion' as const, toolCalls: [call]})),
    {type: 'completion' as const, toolCalls: [{name: 'finish', arguments: JSON.stringify({summary: 'applied the fix; the tests pass'})}]},
    {type: 'completion' as const, text: JSON.stringify({verdict: 'approve', feedback: 'the change is the fix asked for'})},
  ]
}
