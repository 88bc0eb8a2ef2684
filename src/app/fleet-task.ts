/**
 * One fleet task, run the way `pyagent run` runs a task, but in a worktree of its own: the
 * worktree is made on `pyagent/<task-id>` from the task's base (in the repository itself, or in
 * the cached mirror of a repository given by URL, where the result branch then lives), the task runs through
 * `executeTask` with its approval policy and nobody to ask, success is committed on that branch
 * and recorded as a patch, and the worktree is removed again whatever happened.
 */
import {isAbsolute} from 'node:path'

import type {AgentEvent} from '../agent/events.js'
import {loadConfig} from '../config/load.js'
import type {Claim, AttemptResult} from '../fleet/tasks.js'
import {taskBranch} from '../fleet/tasks.js'
import type {RunListener} from '../telemetry/task-metrics.js'
import {GitStateError} from '../workspace/errors.js'
import {updatedMirror} from '../workspace/mirror.js'
import {isGitWorkTree} from '../workspace/repo.js'
import {addWorktree, patchBetween, removeWorktree, resolveCommit} from '../workspace/worktree.js'
import {taskWorktreePath} from './fleet-worktree.js'
import {executeTask, type TaskOutput} from './run.js'

export interface FleetTaskOptions {
  /** Where task worktrees are made, one folder per task. */
  workDir: string
  /** Where the mirrors of repositories given by URL are kept. */
  mirrorDir: string
  signal: AbortSignal
  /** Each agent event, in order, and the notices a person running it would see (as `notice` events). */
  onEvent(event: AgentEvent | {type: 'notice'; text: string}): void
  /** When this worker claimed the task (epoch ms): the task's trace shows its wait in the queue. */
  claimedAt: number
  /** Hears the run's events and LLM calls (the worker's measurements for its server). */
  listener?: RunListener
  /** The fleet's LLM route, in place of the endpoints the repository's config names: the server's one pool for all its workers. */
  llm?: {baseUrl: string; apiKeyEnv: string; model?: {model?: string; actionProtocol: 'json'; mapTokens: number}}
}

const failure = (error: string, baseCommit: string | null = null): AttemptResult => ({
  status: 'failed',
  exitCode: null,
  summary: null,
  error,
  baseCommit,
  commit: null,
  patch: null,
  files: [],
  tokens: 0,
  costUsd: 0,
})

/** The repository the task's worktree is made from: the local one, or the mirror of the one its URL names, fetched now. */
async function sourceRepository(repository: string, mirrorDir: string): Promise<string> {
  if (isAbsolute(repository)) {
    if (!isGitWorkTree(repository)) throw new GitStateError(`${repository} is not a git repository on this machine; submit the path of one.`)
    return repository
  }
  try {
    return await updatedMirror(mirrorDir, repository)
  } catch (error) {
    throw new GitStateError(`${repository} could not be cloned or fetched: ${(error as Error).message.trim()}`)
  }
}

export async function runFleetTask(claim: Claim, options: FleetTaskOptions): Promise<AttemptResult> {
  const {task} = claim
  let source: string
  let baseCommit: string
  try {
    source = await sourceRepository(task.repository, options.mirrorDir)
  } catch (error) {
    return failure((error as Error).message)
  }
  try {
    baseCommit = await resolveCommit(source, task.baseRef ?? 'HEAD')
  } catch {
    return failure(`${task.baseRef ?? 'HEAD'} names no commit in ${task.repository}; give an existing branch, tag or commit.`)
  }
  const branch = taskBranch(task.id)
  const worktree = taskWorktreePath(options.workDir, task.id)
  let kept = false
  try {
    await addWorktree(source, worktree, branch, baseCommit)
    const llm = options.llm ? {baseUrl: options.llm.baseUrl, endpoints: [], apiKeyEnv: options.llm.apiKeyEnv, ...options.llm.model} : {}
    const {config} = loadConfig({repoRoot: worktree, flags: {...task.budgets, autoCommit: true, ...llm}})
    const output: TaskOutput = {event: (event) => options.onEvent(event), notice: (text) => options.onEvent({type: 'notice', text})}
    const request = {task: task.task, role: task.role, priority: task.priority, approve: task.approve, gitCommit: true}
    const run = await executeTask(worktree, config, request, output, {
      embedded: false,
      signal: options.signal,
      listener: options.listener,
      queued: {fleetTaskId: task.id, submittedAt: Date.parse(task.createdAt), claimedAt: options.claimedAt},
    })
    const {outcome} = run
    const status = options.signal.aborted || outcome.status === 'interrupted' ? 'cancelled' : outcome.exitCode === 0 ? 'done' : 'failed'
    const commit = status === 'done' ? (run.commit ?? null) : null
    kept = commit !== null
    return {
      status,
      exitCode: outcome.exitCode,
      summary: outcome.summary,
      error: null,
      baseCommit,
      commit,
      patch: commit ? await patchBetween(worktree, baseCommit, commit) : null,
      files: commit ? [...new Set(outcome.results.flatMap((result) => result.files))].sort() : [],
      tokens: outcome.tokens,
      costUsd: outcome.costUsd,
    }
  } catch (error) {
    if (options.signal.aborted) return {...failure('cancelled while it ran; nothing was written', baseCommit), status: 'cancelled'}
    return failure((error as Error).message, baseCommit)
  } finally {
    // A task without a commit leaves nothing behind, not even its branch.
    await removeWorktree(source, worktree, kept ? {} : {deleteBranch: branch})
  }
}
