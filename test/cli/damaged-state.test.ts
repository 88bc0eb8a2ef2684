/**
 * A damaged or unreachable state database, and a broken PyAgent install, must neither block
 * work silently nor speak in SQLite's words (issue 14, defect 5).
 */
import {spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

import {openState} from '../../src/state/db.js'
import {installHook} from '../../src/review/hook.js'
import {commitThroughHooks, PLANTED_TOKEN} from '../review/support.js'
import {runCli} from '../support/cli.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url))

function unwrapped(text: string): string {
  return text.replaceAll('›', ' ').replace(/\s+/g, ' ')
}

/** A repository whose state database is not a database at all. */
function repoWithGarbageState() {
  const repo = tempRepo({'a.txt': 'a\n'})
  repo.write('.pyagent/state.db', 'this is not an SQLite database, it was overwritten by accident\n')
  return repo
}

/** A real database whose pages were then overwritten in the middle: SQLite opens it and fails on the damage. */
function repoWithMalformedState() {
  const repo = tempRepo({'a.txt': 'a\n'})
  const db = openState(repo.root)
  const insert = db.prepare("INSERT INTO events (task_id, seq, type, payload, created_at) VALUES ('t', ?, 'x', ?, '')")
  db.prepare("INSERT INTO tasks (id, title, priority, role, status, created_at, updated_at) VALUES ('t', 't', 'normal', 'coder', 'done', '', '')").run()
  for (let seq = 0; seq < 400; seq++) insert.run(seq, JSON.stringify({text: 'x'.repeat(200)}))
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
  const path = join(repo.root, '.pyagent', 'state.db')
  const bytes = readFileSync(path)
  bytes.fill(0xa5, 4096 * 3, bytes.length - 4096)
  writeFileSync(path, bytes)
  return repo
}


describe('a damaged state database', {timeout: 60_000}, () => {
  it.each([
    ['not a database', repoWithGarbageState],
    ['malformed pages', repoWithMalformedState],
  ])('(%s): doctor names it and the repair; history refuses in those words; --repair keeps a copy and history works again', async (_kind, makeRepo) => {
    const repo = makeRepo()
    const damaged = readFileSync(join(repo.root, '.pyagent', 'state.db'))

    const doctor = await runCli(['doctor', '--json', '--timeout', '50'], {cwd: repo.root, env: {PYAGENT_BASE_URL: 'http://127.0.0.1:9/v1'}})
    const state = (JSON.parse(doctor.stdout) as {checks: {name: string; status: string; detail: string; fix?: string}[]}).checks.find((check) => check.name === 'state')!
    expect(state).toMatchObject({status: 'fail', fix: 'Run `pyagent doctor --repair`'})
    expect(state.detail).toContain(join(repo.root, '.pyagent', 'state.db'))
    expect(state.detail).toContain('is damaged')

    const history = await runCli(['history', '--json'], {cwd: repo.root})
    expect(history.exitCode).toBe(1)
    expect(JSON.parse(history.stdout)).toMatchObject({error: {code: 'E_STATE_CORRUPT', message: expect.stringContaining('pyagent doctor --repair')}})
    const text = await runCli(['history'], {cwd: repo.root})
    expect(unwrapped(text.stderr)).toContain(`PyAgent's state database ${join(repo.root, '.pyagent', 'state.db')} is damaged`)
    expect(text.stderr).not.toContain('SqliteError')

    const repair = await runCli(['doctor', '--repair', '--json', '--timeout', '50'], {cwd: repo.root, env: {PYAGENT_BASE_URL: 'http://127.0.0.1:9/v1'}})
    const movedTo = (JSON.parse(repair.stdout) as {repair: {movedTo: string}}).repair.movedTo
    expect(readFileSync(movedTo)).toEqual(damaged)
    const after = await runCli(['history', '--json'], {cwd: repo.root})
    expect(after.exitCode).toBe(0)
    expect(JSON.parse(after.stdout)).toEqual({tasks: [], untracked: []})
  })

  it('does not block a clean commit through the hook, says what is wrong, and still blocks a planted secret', async () => {
    const repo = repoWithGarbageState()
    await installHook(repo.root)
    repo.write('a.txt', 'a clean change\n')
    repo.git('add', 'a.txt')
    const clean = commitThroughHooks(repo.root)
    expect(clean.status).toBe(0)
    expect(unwrapped(clean.output)).toContain('is damaged')
    expect(unwrapped(clean.output)).toContain('pyagent doctor --repair')

    repo.write('a.txt', `token = "${PLANTED_TOKEN}"\n`)
    repo.git('add', 'a.txt')
    const secret = commitThroughHooks(repo.root)
    expect(secret.status).toBe(1)
    expect(secret.output).toContain('secret/added')
  })
})

/** A copy of this PyAgent whose native module is missing, as a failed build or a half-copied install leaves it. */
function brokenInstall(): string {
  const root = tempDir('pyagent-broken-')
  for (const entry of ['bin', 'dist', 'package.json']) cpSync(join(PACKAGE_ROOT, entry), join(root, entry), {recursive: true})
  symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(root, 'node_modules'))
  mkdirSync(join(root, 'native'))
  return root
}

describe('a broken PyAgent behind the pre-commit hook', {timeout: 60_000}, () => {
  it('blocks the commit saying it is PyAgent’s hook, how to skip it once and how to remove it; the skip works', () => {
    const install = brokenInstall()
    const repo = tempRepo({'a.py': 'print(1)\n'})
    const installed = spawnSync(process.execPath, [join(install, 'bin', 'run.js'), 'hook', 'install'], {cwd: repo.root, encoding: 'utf8'})
    expect(installed.status, installed.stderr).toBe(0)
    repo.write('a.py', 'def f(x):\n    return x\n')
    repo.git('add', 'a.py')

    const blocked = commitThroughHooks(repo.root)
    // git reports any failed hook as 1; the hook's own exit (2: PyAgent broke, not findings) shows in its notice.
    expect(blocked.status).toBe(1)
    const output = unwrapped(blocked.output)
    expect(output).toContain('native module')
    expect(output).toContain('pyagent pre-commit hook: PyAgent could not review this commit (exit 2')
    expect(output).toContain('PYAGENT_SKIP_HOOK=1 git commit')
    expect(output).toContain('pyagent hook uninstall')

    expect(commitThroughHooks(repo.root, {PYAGENT_SKIP_HOOK: '1'}).status).toBe(0)
  })
})

/** Whether this machine lets a test make a read-only bind mount in a private mount namespace. */
function canRemountReadOnly(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'pyagent-ro-probe-'))
  try {
    return spawnSync('unshare', ['-rm', 'sh', '-c', 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1"', 'sh', dir], {stdio: 'ignore'}).status === 0
  } finally {
    rmSync(dir, {recursive: true})
  }
}

describe.skipIf(!canRemountReadOnly())('a read-only repository', {timeout: 60_000}, () => {
  it('still answers history and the staged review, with no word of SQLite and no warning', async () => {
    const repo = tempRepo({'a.txt': 'a\n'})
    const workspaceDb = openState(repo.root)
    workspaceDb.close()
    repo.write('a.txt', 'staged change\n')
    repo.git('add', 'a.txt')
    const node = process.execPath
    const bin = join(PACKAGE_ROOT, 'bin', 'run.js')
    const script = `mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && cd "$1" && "$2" "$3" history --json && "$2" "$3" review --staged --format json`
    const result = spawnSync('unshare', ['-rm', 'sh', '-c', script, 'sh', repo.root, node, bin], {
      encoding: 'utf8',
      env: {...process.env, XDG_CONFIG_HOME: '/nonexistent-pyagent-test'},
    })
    expect(result.stderr).toBe('')
    expect(result.status, result.stderr).toBe(0)
    expect(result.stdout).toContain('"tasks"')
    expect(existsSync(join(repo.root, '.pyagent', 'state.db'))).toBe(true)
    expect(readdirSync(join(repo.root, '.pyagent'))).not.toContain('state.db-wal')
  })
})
