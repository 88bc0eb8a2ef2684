/**
 * `pyagent review` from its flags to the report. The oclif command and the pre-commit hook's
 * fast path in bin/run.js both call this, so what the hook checks cannot drift from the command.
 */
import {loadConfig} from '../config/load.js'
import {hasInterruptedTransactions} from '../workspace/recovery.js'
import {findRepoRoot, isGitWorkTree} from '../workspace/repo.js'
import {type BaselineReport, recordBaseline} from './baseline.js'
import {ReviewError} from './errors.js'
import type {FailOn} from './findings.js'
import {formatReport} from './format/index.js'
import {runReview, type ReviewReport} from './review.js'
import {secretDetector} from './secret-detector.js'

export interface ReviewFlags {
  cwd?: string
  /** Review what HEAD adds since its merge base with this ref; the staged change otherwise. */
  base?: string
  failOn?: FailOn
  /** Also have the LLM reviewer comment (loads the LLM client and opens the state database). */
  llm?: boolean
}

function reviewedRepo(cwd: string | undefined): string {
  const repoRoot = findRepoRoot(cwd ?? process.cwd())
  if (!isGitWorkTree(repoRoot)) {
    throw new ReviewError(`${repoRoot} is not inside a git repository: the review compares what git has staged (or a branch) with a commit. Run it inside a repository.`)
  }
  return repoRoot
}

/** `pyagent review --baseline`: every secret in the tracked files becomes known (see src/review/baseline.ts). */
export async function baselineFromFlags(flags: Pick<ReviewFlags, 'cwd'>): Promise<BaselineReport> {
  const repoRoot = reviewedRepo(flags.cwd)
  const {config} = loadConfig({repoRoot})
  return recordBaseline(repoRoot, secretDetector(config.redactAllow))
}

export async function reviewFromFlags(flags: ReviewFlags): Promise<ReviewReport> {
  const repoRoot = reviewedRepo(flags.cwd)
  const {config} = loadConfig({repoRoot, flags: {reviewFailOn: flags.failOn}})
  const llm = flags.llm ? await (await import('./reviewer.js')).openReviewer(repoRoot, config) : undefined
  try {
    return await runReview({
      repoRoot,
      target: flags.base ? {kind: 'base', ref: flags.base} : {kind: 'staged'},
      config,
      ...(llm ? {llm: llm.client} : {}),
    })
  } finally {
    llm?.close()
  }
}

/**
 * The hook's `pyagent review --staged`, run without oclif (whose import alone costs more than the
 * review). Prints the text report and sets the exit code as the command does; returns false
 * without printing anything on any error, or when a crash left a transaction to repair, so the
 * caller hands the same arguments to the oclif command, which repairs it and says so, and whose
 * messages and exit codes are the ones users see.
 */
export async function reviewStagedForHook(version: string): Promise<boolean> {
  let report: ReviewReport
  try {
    if (await hasInterruptedTransactions(findRepoRoot())) return false
    report = await reviewFromFlags({})
  } catch {
    return false
  }
  process.stdout.write(formatReport(report, 'text', version))
  if (report.failed) process.exitCode = 1
  return true
}
