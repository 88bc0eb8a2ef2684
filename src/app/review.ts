/**
 * `pyagent review`, wired once: from its options to the report. The oclif command and the
 * pre-commit hook's fast path in bin/run.js both call this, so what the hook checks cannot drift
 * from the command. It stays lean (bundled for the hook): the LLM reviewer's client and the
 * state database are imported only for `--llm`.
 */
import type {Config} from '../config/schema.js'
import {loadConfig} from '../config/load.js'
import {type BaselineReport, recordBaseline} from '../review/baseline.js'
import {ReviewError} from '../review/errors.js'
import type {FailOn} from '../review/findings.js'
import {formatReport} from '../review/format/index.js'
import {runReview, type ReviewReport} from '../review/review.js'
import {secretDetector} from '../review/secret-detector.js'
import {hasInterruptedTransactions} from '../workspace/recovery.js'
import {findRepoRoot, isGitWorkTree} from '../workspace/repo.js'

export interface ReviewOptions {
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
export async function recordSecretsBaseline(options: Pick<ReviewOptions, 'cwd'>): Promise<BaselineReport> {
  const repoRoot = reviewedRepo(options.cwd)
  const {config} = loadConfig({repoRoot})
  return recordBaseline(repoRoot, secretDetector(config.redactAllow))
}

/** The LLM client `review --llm` uses, recording its calls in the repository's state. */
async function openReviewer(repoRoot: string, config: Config) {
  const [{createLlmClient}, {openState}] = await Promise.all([import('../llm/index.js'), import('../state/db.js')])
  const state = openState(repoRoot)
  const client = createLlmClient(config, state)
  return {
    client,
    close() {
      client.close()
      state.close()
    },
  }
}

export async function reviewChange(options: ReviewOptions): Promise<ReviewReport> {
  const repoRoot = reviewedRepo(options.cwd)
  const {config} = loadConfig({repoRoot, flags: {reviewFailOn: options.failOn}})
  const llm = options.llm ? await openReviewer(repoRoot, config) : undefined
  try {
    return await runReview({
      repoRoot,
      target: options.base ? {kind: 'base', ref: options.base} : {kind: 'staged'},
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
    report = await reviewChange({})
  } catch {
    return false
  }
  process.stdout.write(formatReport(report, 'text', version))
  if (report.failed) process.exitCode = 1
  return true
}
