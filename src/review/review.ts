/**
 * `pyagent review`: the static checks shared by the pre-commit hook and the CI step, over the
 * files and lines a change touches. Needs no LLM endpoint and no network.
 */
import type {Config} from '../config/schema.js'
import type {LlmClient} from '../llm/index.js'
import {type ChangeSet, collectChanges, type ReviewTarget} from './changes.js'
import {countBySeverity, type FailOn, failsOn, type Finding, type Severity, sortFindings} from './findings.js'
import {checkLicences} from './licence/check.js'
import {checkMetrics} from './metrics-check.js'
import {readBaseline} from '../secrets/baseline.js'
import {secretDetector as defaultSecretDetector} from './secret-detector.js'
import {scanAddedLines, type SecretDetector} from './secrets.js'

export interface ReviewOptions {
  repoRoot: string
  target: ReviewTarget
  config: Pick<
    Config,
    | 'reviewMaxComplexity'
    | 'reviewMaxComplexityGrowth'
    | 'reviewMaxFunctionLines'
    | 'reviewAllowedLicenses'
    | 'reviewFailOn'
    | 'redactAllow'
  >
  /** Overrides config.reviewFailOn (the `--fail-on` flag). */
  failOn?: FailOn
  secretDetector?: SecretDetector
  env?: NodeJS.ProcessEnv
  /** `--llm`: the reviewer role also comments on the diff through this client. */
  llm?: LlmClient
}

export interface ReviewReport {
  target: ReviewTarget
  /** The commit the change was compared with (HEAD when staged; the merge base with --base). */
  baseCommit?: string
  filesReviewed: number
  addedLines: number
  findings: Finding[]
  counts: Record<Severity, number>
  failOn: FailOn
  /** True when the LLM reviewer ran (`--llm`). */
  llm: boolean
  /** True when some finding reaches the --fail-on severity; the command then exits 1. */
  failed: boolean
  durationMs: number
}

/** The LLM reviewer's comments; its failure is one finding, so the static review is still reported. */
async function llmReview(repoRoot: string, changes: ChangeSet, client: LlmClient, detectSecrets: SecretDetector): Promise<Finding[]> {
  try {
    return await (await import('./llm-review.js')).reviewWithLlm(repoRoot, changes, {client, detectSecrets})
  } catch (error) {
    return [
      {
        ruleId: 'llm/unavailable',
        severity: 'warning',
        path: '.',
        message: `the LLM reviewer could not run, so only the static checks are reported: ${(error as Error).message}`,
      },
    ]
  }
}

export async function runReview(options: ReviewOptions): Promise<ReviewReport> {
  const started = performance.now()
  const changes = await collectChanges(options.repoRoot, options.target)
  const secretDetector = options.secretDetector ?? defaultSecretDetector(options.config.redactAllow)
  // Loaded only with --llm: the hook must not pay for the LLM side's imports.
  const llmFindings = options.llm ? await llmReview(options.repoRoot, changes, options.llm, secretDetector) : []
  const findings = sortFindings([
    ...scanAddedLines(changes, secretDetector, readBaseline(options.repoRoot)),
    ...checkLicences(changes, {allowed: options.config.reviewAllowedLicenses, repoRoot: options.repoRoot, env: options.env}),
    ...checkMetrics(changes, {
      maxComplexity: options.config.reviewMaxComplexity,
      maxComplexityGrowth: options.config.reviewMaxComplexityGrowth,
      maxFunctionLines: options.config.reviewMaxFunctionLines,
    }),
    ...llmFindings,
  ])
  const failOn = options.failOn ?? options.config.reviewFailOn
  return {
    target: options.target,
    ...(changes.oldCommit ? {baseCommit: changes.oldCommit} : {}),
    filesReviewed: changes.files.length,
    addedLines: changes.files.reduce((sum, file) => sum + file.addedLines.length, 0),
    findings,
    counts: countBySeverity(findings),
    failOn,
    llm: options.llm !== undefined,
    failed: findings.some((finding) => failsOn(finding.severity, failOn)),
    durationMs: Math.round(performance.now() - started),
  }
}
