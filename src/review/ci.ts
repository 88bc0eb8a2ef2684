/**
 * `pyagent ci`: the review of what a pull request adds (HEAD against its merge base with the
 * target branch), written where CI systems look: SARIF for code scanning, JUnit XML for test
 * reports, and a markdown summary appended to $GITHUB_STEP_SUMMARY on GitHub Actions.
 */
import {appendFileSync, mkdirSync, writeFileSync} from 'node:fs'
import {dirname, resolve} from 'node:path'

import {ReviewError} from './errors.js'
import {formatJunit} from './format/junit.js'
import {formatMarkdown} from './format/markdown.js'
import {formatSarif} from './format/sarif.js'
import {gitLine} from './git.js'
import {type ReviewOptions, type ReviewReport, runReview} from './review.js'

export interface CiOptions extends Omit<ReviewOptions, 'target'> {
  base?: string
  env: NodeJS.ProcessEnv
  sarifPath?: string
  junitPath?: string
  toolVersion: string
}

export interface CiResult {
  report: ReviewReport
  base: string
  written: string[]
}

/** `--base`, else GitHub's `$GITHUB_BASE_REF` (a branch name: its remote-tracking ref is preferred). */
async function resolveBase(repoRoot: string, base: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  if (base) return base
  const branch = env.GITHUB_BASE_REF
  if (!branch) {
    throw new ReviewError('pyagent ci needs a base to compare with: pass --base <ref> (e.g. origin/main), or run it in a pull-request job where GITHUB_BASE_REF is set')
  }
  const remote = `origin/${branch}`
  const hasRemote = await gitLine(repoRoot, ['rev-parse', '--verify', '--quiet', `${remote}^{commit}`]).then(
    () => true,
    () => false,
  )
  return hasRemote ? remote : branch
}

function write(path: string, text: string, written: string[]): void {
  mkdirSync(dirname(path), {recursive: true})
  writeFileSync(path, text)
  written.push(path)
}

export async function runCi(options: CiOptions): Promise<CiResult> {
  const base = await resolveBase(options.repoRoot, options.base, options.env)
  const report = await runReview({...options, target: {kind: 'base', ref: base}})
  const written: string[] = []
  if (options.sarifPath) write(resolve(options.sarifPath), formatSarif(report, options.toolVersion), written)
  if (options.junitPath) write(resolve(options.junitPath), formatJunit(report), written)
  const summary = options.env.GITHUB_STEP_SUMMARY
  if (summary) {
    appendFileSync(summary, formatMarkdown(report))
    written.push(summary)
  }
  return {report, base, written}
}
