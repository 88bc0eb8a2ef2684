import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

import {BIN} from '../support/cli.js'
import {tempRepo, type TempRepo} from '../support/temp-repo.js'
import {mitPackageJson, PLANTED_TOKEN} from './support.js'

const FORBID_OCLIF = fileURLToPath(new URL('../support/forbid-oclif.mjs', import.meta.url))
const ENV = {...process.env, XDG_CONFIG_HOME: '/nonexistent-pyagent-test', FORCE_COLOR: '0', NO_COLOR: '1'}

/** What the hook runs: `pyagent review --staged` from inside the repository (bin/run.js's fast path). */
function hookCommand(repo: TempRepo, options: {forbidOclif?: boolean} = {}) {
  const node = options.forbidOclif ? ['--import', FORBID_OCLIF] : []
  const result = spawnSync(process.execPath, [...node, BIN, 'review', '--staged'], {cwd: repo.root, encoding: 'utf8', env: ENV})
  return {status: result.status, stdout: result.stdout, stderr: result.stderr}
}

/** The same review through the oclif command (any further flag takes that path). */
function oclifCommand(repo: TempRepo) {
  const result = spawnSync(process.execPath, [BIN, 'review', '--staged', '--cwd', repo.root], {encoding: 'utf8', env: ENV})
  return {status: result.status, stdout: result.stdout, stderr: result.stderr}
}

describe("the pre-commit hook's `pyagent review --staged` (answered without oclif)", () => {
  it('reports a clean change and a planted secret exactly as the oclif command does, without loading oclif', () => {
    const repo = tempRepo({'package.json': mitPackageJson(), 'app.py': 'print("hi")\n'})
    repo.write('app.py', 'print("hello")\n')
    repo.git('add', 'app.py')
    const clean = hookCommand(repo, {forbidOclif: true})
    expect(clean).toEqual(oclifCommand(repo))
    expect(clean.status).toBe(0)
    expect(clean.stdout).toContain('0 errors')

    repo.write('app.py', `print("hi")\nGITHUB_TOKEN = "${PLANTED_TOKEN}"\n`)
    repo.git('add', 'app.py')
    const blocked = hookCommand(repo, {forbidOclif: true})
    expect(blocked).toEqual(oclifCommand(repo))
    expect(blocked.status).toBe(1)
    expect(blocked.stdout).toContain('app.py:2')
  })

  it("hands an error to the oclif command, so the message and exit code are the command's own", () => {
    const repo = tempRepo({'app.py': 'print("hi")\n'})
    repo.write('.pyagent/config.json', '{"reviewFailOn": "sometimes"}\n')
    const badConfig = hookCommand(repo)
    expect(badConfig).toEqual(oclifCommand(repo))
    // 1 is kept for "the review found problems": a review that cannot run at all exits 2.
    expect(badConfig.status).toBe(2)
    expect(badConfig.stderr).toMatch(/reviewFailOn/)
    expect(hookCommand(repo, {forbidOclif: true}).stderr).toMatch(/@oclif\/core was loaded/)
  })
})
