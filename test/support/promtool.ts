/**
 * Prometheus' own linter for an exposition: `promtool check metrics`, from Debian's `prometheus`
 * package (.ci/run installs it). Without it the tests that use it skip locally and fail in CI.
 */
import {execa} from 'execa'

export async function promtoolBinary(): Promise<string | undefined> {
  const found = await execa('promtool', ['--version'], {reject: false})
  if (found.exitCode === 0) return 'promtool'
  if (process.env.CI) throw new Error("promtool is missing: .ci/run should have installed Debian's prometheus package")
  return undefined
}

/** promtool's complaints about the exposition (empty when it is clean) and its exit code. */
export async function checkMetrics(promtool: string, exposition: string): Promise<{exitCode: number; problems: string}> {
  const result = await execa(promtool, ['check', 'metrics'], {input: exposition, reject: false})
  return {exitCode: result.exitCode ?? -1, problems: `${result.stdout}${result.stderr}`.trim()}
}
