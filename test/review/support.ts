/** Fixtures shared by the review suites: a repo config and packages installed as npm would. */
import {spawnSync} from 'node:child_process'

import {configSchema} from '../../src/config/schema.js'
import type {TempRepo} from '../support/temp-repo.js'
import {checksummedToken} from '../support/tokens.js'

export const DEFAULT_CONFIG = configSchema.parse({})

export function installNpmPackage(repo: TempRepo, name: string, license: string): void {
  repo.write(`node_modules/${name}/package.json`, JSON.stringify({name, version: '1.0.0', license}))
}

export function mitPackageJson(dependencies: Record<string, string> = {}): string {
  return `${JSON.stringify({name: 'fixture', version: '1.0.0', license: 'MIT', dependencies}, null, 2)}\n`
}

/** A function whose cyclomatic complexity is 1 + `branches`. */
export function branchyFunction(name: string, branches: number): string {
  const body = Array.from({length: branches}, (_, index) => `  if (x === ${index}) return ${index}`).join('\n')
  return `export function ${name}(x: number): number {\n${body}\n  return -1\n}\n`
}

/** A GitHub token, checksum and all, fresh each run. */
export const PLANTED_TOKEN = checksummedToken()

/** `git commit -m change` as a person runs it, hooks included; returns git's status and all it printed. */
export function commitThroughHooks(root: string, env: Record<string, string> = {}) {
  const result = spawnSync('git', ['commit', '-m', 'change'], {
    cwd: root,
    encoding: 'utf8',
    env: {...process.env, GIT_CONFIG_NOSYSTEM: '1', XDG_CONFIG_HOME: '/nonexistent-pyagent-test', PYAGENT_SKIP_HOOK: '', ...env},
  })
  return {status: result.status, output: `${result.stdout}${result.stderr}`}
}
