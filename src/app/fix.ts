/**
 * `pyagent ci --fix`: the review's findings become one coder task for the agent, run exactly as
 * `pyagent run` would (same loop, sandbox, reflection), and what it changed is written as a
 * patch file for a person or a later CI step to look at. Nothing is committed or pushed.
 */
import {writeFileSync} from 'node:fs'
import {resolve} from 'node:path'

import type {TaskOutcome} from '../agent/run-task.js'
import type {Config} from '../config/schema.js'
import type {ReviewReport} from '../review/review.js'
import {openState} from '../state/db.js'
import {transactionDiff} from '../workspace/history.js'
import {Journal} from '../workspace/journal.js'
import {executeTask, type TaskOutput} from './run.js'

export interface FixOptions {
  repoRoot: string
  config: Config
  report: ReviewReport
  patchPath: string
  output: TaskOutput
  signal: AbortSignal
}

export interface FixResult {
  /** `clean` when the review found nothing worth a task. */
  status: TaskOutcome['status'] | 'clean'
  taskId?: string
  summary?: string
  files: string[]
  /** Absolute path of the patch, when the agent changed anything. */
  patch?: string
  exitCode: number
}

/** The task the agent is given, or undefined when no finding calls for a change. */
export function fixTask(report: ReviewReport): string | undefined {
  const findings = report.findings.filter((finding) => finding.severity !== 'note')
  if (findings.length === 0) return undefined
  return [
    'Fix these findings of `pyagent review` in this change:',
    ...findings.map((finding) => `- ${finding.path}${finding.line ? `:${finding.line}` : ''} [${finding.ruleId}] ${finding.message}`),
    'Change only what each finding needs and keep behaviour the same; run the tests before you finish.',
  ].join('\n')
}

/** Every transaction the task and its sub-tasks committed, as one patch rebuilt from the journal. */
function fixPatch(repoRoot: string, outcome: TaskOutcome): string {
  const db = openState(repoRoot)
  try {
    const journal = new Journal(db)
    return outcome.results.flatMap((result) => (result.txId ? [transactionDiff(journal, result.txId)] : [])).join('')
  } finally {
    db.close()
  }
}

/** A CI step has no one to ask and must not run on a model too small for real work: no embedded fallback, edits approved by policy. */
export async function fixFindings(options: FixOptions): Promise<FixResult> {
  const task = fixTask(options.report)
  if (!task) return {status: 'clean', files: [], exitCode: 0}
  const request = {task, role: 'coder', priority: 'normal', approve: 'edits', gitCommit: false} as const
  const {exitCode, outcome} = await executeTask(options.repoRoot, options.config, request, options.output, {embedded: false, signal: options.signal})
  const result: FixResult = {
    status: outcome.status,
    taskId: outcome.taskId,
    summary: outcome.summary,
    files: outcome.results.flatMap((taskResult) => taskResult.files),
    exitCode,
  }
  const patch = fixPatch(options.repoRoot, outcome)
  if (patch !== '') {
    result.patch = resolve(options.repoRoot, options.patchPath)
    writeFileSync(result.patch, patch)
  }
  return result
}
