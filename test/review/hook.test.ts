import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {hookStatus, installHook, uninstallHook} from '../../src/review/hook.js'
import {runCli} from '../support/cli.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'

const HUSKY_8_HOOK = '#!/usr/bin/env sh\n. "$(dirname -- "$0")/_/husky.sh"\n\necho husky-ran > husky-ran.txt\n'

function isExecutable(path: string): boolean {
  return (statSync(path).mode & 0o111) !== 0
}

function commitSkippingReview(repo: ReturnType<typeof tempRepo>, cwd = repo.root): void {
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'skip'], {
    cwd,
    env: {...process.env, GIT_CONFIG_NOSYSTEM: '1', PYAGENT_SKIP_HOOK: '1'},
  })
}

describe('pyagent hook', () => {
  it('installs into .git/hooks of a plain repo and removes the file it created', async () => {
    const repo = tempRepo()
    const hookFile = join(repo.root, '.git', 'hooks', 'pre-commit')

    const installed = await installHook(repo.root)
    expect(installed).toMatchObject({action: 'created', manager: 'git', installed: true, hookFile})
    expect(readFileSync(hookFile, 'utf8')).toContain('review --staged')
    expect(isExecutable(hookFile)).toBe(true)
    expect((await installHook(repo.root)).action).toBe('already-installed')

    expect((await uninstallHook(repo.root)).action).toBe('removed')
    expect(existsSync(hookFile)).toBe(false)
    expect((await hookStatus(repo.root)).installed).toBe(false)
  })

  it('honours a husky-style core.hooksPath and restores the husky hook byte for byte', async () => {
    const repo = tempRepo()
    const huskyHook = repo.write('.husky/pre-commit', HUSKY_8_HOOK)
    repo.write('.husky/_/husky.sh', '')
    repo.git('config', 'core.hooksPath', '.husky')

    const installed = await installHook(repo.root)
    expect(installed).toMatchObject({action: 'inserted', manager: 'core.hooksPath', hookFile: huskyHook})
    const content = readFileSync(huskyHook, 'utf8')
    expect(content.startsWith('#!/usr/bin/env sh\n# >>> pyagent pre-commit >>>')).toBe(true)
    expect(content.endsWith(HUSKY_8_HOOK.split('\n').slice(1).join('\n'))).toBe(true)
    expect(existsSync(join(repo.root, '.git', 'hooks', 'pre-commit'))).toBe(false)

    commitSkippingReview(repo)
    expect(readFileSync(join(repo.root, 'husky-ran.txt'), 'utf8')).toBe('husky-ran\n')

    expect((await uninstallHook(repo.root)).action).toBe('restored')
    expect(readFileSync(huskyHook, 'utf8')).toBe(HUSKY_8_HOOK)
  })

  it("edits husky 9's own .husky/pre-commit, not the stubs it regenerates", async () => {
    const repo = tempRepo()
    repo.write('.husky/_/h', '')
    repo.write('.husky/_/pre-commit', '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n')
    repo.git('config', 'core.hooksPath', '.husky/_')

    const installed = await installHook(repo.root)
    expect(installed).toMatchObject({manager: 'husky', hookFile: join(repo.root, '.husky', 'pre-commit'), action: 'created'})
    expect(readFileSync(join(repo.root, '.husky/_/pre-commit'), 'utf8')).toBe('#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n')
  })

  it('chains an existing non-shell hook, runs it, and puts it back on uninstall', async () => {
    const repo = tempRepo()
    const original = '#!/usr/bin/env node\nrequire("fs").writeFileSync("chained-ran.txt", process.argv.length + "")\n'
    const hookFile = repo.write('.git/hooks/pre-commit', original)
    execFileSync('chmod', ['755', hookFile])

    const installed = await installHook(repo.root)
    expect(installed).toMatchObject({action: 'chained', chainedHook: `${hookFile}.pyagent-chained`})
    commitSkippingReview(repo)
    expect(readFileSync(join(repo.root, 'chained-ran.txt'), 'utf8')).toBe('2')

    expect((await uninstallHook(repo.root)).action).toBe('restored')
    expect(readFileSync(hookFile, 'utf8')).toBe(original)
    expect(isExecutable(hookFile)).toBe(true)
    expect(existsSync(`${hookFile}.pyagent-chained`)).toBe(false)
  })

  it('installs from a linked worktree into the hooks every worktree shares', async () => {
    const repo = tempRepo()
    const worktree = join(tempDir(), 'linked')
    repo.git('worktree', 'add', '-q', '-b', 'side', worktree)

    const installed = await installHook(worktree)
    expect(installed.hookFile).toBe(join(repo.root, '.git', 'hooks', 'pre-commit'))
    expect((await hookStatus(repo.root)).installed).toBe(true)
  })

  it('warns and lets the commit through on a machine where pyagent cannot be found', async () => {
    const repo = tempRepo()
    const {hookFile} = await installHook(repo.root)
    writeFileSync(hookFile, readFileSync(hookFile, 'utf8').replaceAll(/'[^']*bin\/run\.js'/g, "'/nonexistent/run.js'"))
    const result = spawnSync('git', ['commit', '--allow-empty', '-m', 'elsewhere'], {
      cwd: repo.root,
      encoding: 'utf8',
      env: {...process.env, PATH: '/usr/bin:/bin', PYAGENT_SKIP_HOOK: ''},
    })
    expect(result.stderr).toMatch(/pyagent hook: pyagent not found \(was .*\); skipping the review/)
    expect(result.status).toBe(0)
  })

  it('installs through the CLI with --json, and says plainly when there is no git repository', async () => {
    const repo = tempRepo()
    const install = await runCli(['hook', 'install', '--json', '--cwd', repo.root], {env: {PYAGENT_SKIP_HOOK: '1'}})
    expect(install.exitCode).toBe(0)
    expect(JSON.parse(String(install.stdout))).toMatchObject({action: 'created', installed: true, manager: 'git', skipped: true})

    await expect(installHook(tempDir())).rejects.toThrow(/git rev-parse --show-toplevel failed in .*: fatal: not a git repository/)
  })
})
