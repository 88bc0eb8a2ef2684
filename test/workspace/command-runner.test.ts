import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer, type AddressInfo} from 'node:net'
import {join} from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'

import {checkCommand} from '../../src/workspace/command-policy.js'
import {bubblewrapAvailable, runCommand, type RunCommandOptions, scrubEnvironment} from '../../src/workspace/command-runner.js'
import {CommandPolicyError} from '../../src/workspace/errors.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'

const ALLOWED = ['git status', 'git diff', 'npm test', 'npx tsc --noEmit', 'node -e', 'sleep']

function options(root: string, overrides: Partial<RunCommandOptions> = {}): RunCommandOptions {
  return {root, allowed: ALLOWED, timeoutMs: 30_000, outputBytes: 4096, sandbox: 'none', ...overrides}
}

describe('commands and the deny rules', () => {
  const denyRepo = () => {
    const repo = tempRepo({'.env': 'API_TOKEN=hunter2-but-longer\n', 'secrets/prod.pem': 'KEY\n', 'README.md': 'hello\n'})
    return repo
  }
  const deny = ['.env', 'secrets/**']
  const allowed = ['git show', 'git log', 'git diff', 'cat']

  it.each([
    [['git', 'show', 'HEAD:.env'], '.env'],
    [['git', 'show', 'HEAD~0:secrets/prod.pem'], 'secrets/**'],
    [['git', 'show', ':.env'], '.env'],
    [['git', 'log', '-p', '--', '.env'], '.env'],
    [['git', 'diff', 'HEAD', '--', 'secrets'], 'secrets/**'],
    [['cat', './.env'], '.env'],
    [['cat', 'src/../.ENV'], '.env'],
  ])('refuses %j, which names a denied file, before it runs', async (argv, rule) => {
    const repo = denyRepo()
    await expect(runCommand(argv, {root: repo.root, allowed, timeoutMs: 30_000, outputBytes: 4096, sandbox: 'none', denyPaths: deny})).rejects.toThrow(
      new RegExp(`deny rule "${rule.replace(/\*/g, '\\*')}"`),
    )
  })

  it("prints a denied file's committed changes as binary in git's diffs, and refuses the options that would print them as text", async () => {
    const repo = denyRepo()
    repo.write('.env', 'API_TOKEN=rotated-value-0000\n')
    repo.write('secrets/prod.pem', 'NEWKEY\n')
    repo.write('README.md', 'hello again\n')
    repo.git('commit', '-qam', 'rotate')
    const run = (argv: string[]) => runCommand(argv, {root: repo.root, allowed, timeoutMs: 30_000, outputBytes: 65_536, sandbox: 'none', denyPaths: deny})
    for (const argv of [['git', 'log', '-p'], ['git', 'show', 'HEAD'], ['git', 'diff', 'HEAD~1', 'HEAD']]) {
      const result = await run(argv)
      expect(result.exitCode).toBe(0)
      expect(result.stdout).toContain('+hello again')
      expect(result.stdout).toMatch(/Binary files a\/\.env and b\/\.env differ/)
      expect(result.stdout).not.toMatch(/hunter2|rotated-value|NEWKEY/)
    }
    for (const argv of [['git', 'log', '-p', '--text'], ['git', 'show', '-a', 'HEAD'], ['git', 'log', '-pa'], ['git', 'diff', '--binary', 'HEAD~1'], ['git', 'show', '--textconv', 'HEAD']]) {
      await expect(run(argv)).rejects.toThrow(/print a denied file/)
    }
  })

  it('still runs what names no denied file', async () => {
    const repo = denyRepo()
    const shown = await runCommand(['git', 'show', 'HEAD:README.md'], {root: repo.root, allowed, timeoutMs: 30_000, outputBytes: 4096, sandbox: 'none', denyPaths: deny})
    expect(shown.stdout).toBe('hello\n')
    const log = await runCommand(['git', 'log', '--format=%s', '--', 'README.md'], {root: repo.root, allowed, timeoutMs: 30_000, outputBytes: 4096, sandbox: 'none', denyPaths: deny})
    expect(log.exitCode).toBe(0)
  })
})

describe('command policy', () => {
  const root = '/work/repo'
  const check = (argv: string[], cwd = root) => () => checkCommand(argv, cwd, {allowed: ALLOWED, root})

  it('allows listed prefixes word by word', () => {
    expect(check(['git', 'status', '--short'])).not.toThrow()
    expect(check(['npx', 'tsc', '--noEmit', '-p', 'tsconfig.json'])).not.toThrow()
    expect(check(['npx', '-p', 'evil', 'tsc', '--noEmit'])).toThrow(/is not allowed/)
    expect(check(['npm', 'test', '--', '--grep', 'parser'])).not.toThrow()
  })

  it.each([
    [['rm', '-rf', '/'], /is not allowed/],
    [['curl', 'http://example.com'], /is not allowed/],
    [['npm', 'testx'], /is not allowed/],
    [['npm', 'install', 'left-pad'], /is not allowed/],
    [['git', 'push'], /is not allowed/],
    [['npx', 'tsc'], /is not allowed/],
    [['/bin/sh', '-c', 'id'], /without a path/],
    [['./node_modules/.bin/tsc'], /without a path/],
  ])('refuses %j', (argv, reason) => {
    expect(check(argv as string[])).toThrow(CommandPolicyError)
    expect(check(argv as string[])).toThrow(reason)
  })

  it.each([
    [['git', 'diff', '-c', 'core.pager=sh'], /-c is refused/],
    [['git', 'status', '-C', '/etc'], /-C is refused/],
    [['git', 'diff', '--output=/tmp/x'], /--output is refused/],
    [['git', 'diff', '--ext-diff'], /--ext-diff is refused/],
    [['git', 'diff', '--', '/etc/passwd'], /outside the workspace/],
    [['git', 'diff', '../../etc/passwd'], /outside the workspace/],
    [['npm', 'test', '--prefix=/tmp'], /--prefix is refused/],
    [['git', 'diff', '~/.ssh/id_rsa'], /home-directory/],
  ])('refuses the escape %j', (argv, reason) => {
    expect(check(argv as string[])).toThrow(reason)
  })

  it('accepts paths that stay inside the workspace', () => {
    expect(check(['git', 'diff', 'src/../README.md'])).not.toThrow()
    expect(check(['git', 'diff', '/work/repo/src/a.ts'])).not.toThrow()
  })
})

describe('scrubEnvironment', () => {
  it('drops variables that look like credentials by name or value and keeps the rest', () => {
    const env = scrubEnvironment({
      PATH: '/usr/bin',
      HOME: '/home/me',
      PWD: '/work',
      LANG: 'C.UTF-8',
      GITHUB_TOKEN: 'ghp_x',
      AWS_SECRET_ACCESS_KEY: 'x',
      OPENAI_API_KEY: 'sk-x',
      NPM_AUTH: 'x',
      DB_PASSWORD: 'x',
      SSH_PRIVATE_KEY: 'x',
      DATABASE_URL: 'postgres://app:hunter2@db:5432/app',
      PYAGENT_API_KEY: 'x',
      PYAGENT_BASE_URL: 'http://localhost:8000/v1',
    })
    expect(Object.keys(env).sort()).toEqual(['HOME', 'LANG', 'PATH', 'PWD'])
  })
})

describe('runCommand', () => {
  it('runs an allowed command without a shell in the workspace and captures its output', async () => {
    const repo = tempRepo({'a.txt': 'a\n'})
    repo.write('a.txt', 'changed\n')
    const result = await runCommand(['git', 'status', '--short'], options(repo.root))
    expect(result).toMatchObject({exitCode: 0, timedOut: false, stdout: ' M a.txt\n', stdoutOmitted: 0, error: null})
    const literal = await runCommand(['node', '-e', 'console.log(process.argv.slice(1).join("|"))', '$(id)', '; rm -rf x', '*'], options(repo.root))
    expect(literal.stdout).toBe('$(id)|; rm -rf x|*\n')
  })

  it('runs in a cwd inside the workspace and refuses one outside', async () => {
    const repo = tempRepo({'pkg/a.txt': 'a\n'})
    const inside = await runCommand(['node', '-e', 'console.log(process.cwd())'], options(repo.root, {cwd: 'pkg'}))
    expect(inside.stdout.trim()).toBe(join(inside.cwd))
    expect(inside.cwd.endsWith('/pkg')).toBe(true)
    await expect(runCommand(['git', 'status'], options(repo.root, {cwd: '..'}))).rejects.toThrow(/outside the workspace/)
    await expect(runCommand(['git', 'status'], options(repo.root, {cwd: '.git'}))).rejects.toThrow(/never edits/)
  })

  it('refuses a disallowed command before starting anything', async () => {
    const repo = tempRepo({})
    await expect(runCommand(['touch', 'pwned'], options(repo.root))).rejects.toThrow(CommandPolicyError)
    expect(existsSync(join(repo.root, 'pwned'))).toBe(false)
  })

  it('kills a command that outlives its timeout, with everything it spawned', async () => {
    const repo = tempRepo({})
    const spawner = "require('child_process').spawn('sleep', ['30'], {stdio: 'inherit'}); setInterval(() => {}, 1000)"
    const result = await runCommand(['node', '-e', spawner], options(repo.root, {timeoutMs: 500}))
    expect(result.timedOut).toBe(true)
    expect(result.exitCode).toBeNull()
    // Generous bound on a loaded machine: the command alone would run 30 s.
    expect(result.durationMs).toBeLessThan(15_000)
  })

  it('keeps the head and tail of a flood of output and says how much it dropped', async () => {
    const repo = tempRepo({})
    const flood = "process.stdout.write('HEAD' + 'x'.repeat(5_000_000) + 'TAIL'); process.stderr.write('err')"
    const result = await runCommand(['node', '-e', flood], options(repo.root, {outputBytes: 4096}))
    expect(result.exitCode).toBe(0)
    expect(result.stdout.startsWith('HEADxxx')).toBe(true)
    expect(result.stdout.endsWith('xxxTAIL')).toBe(true)
    expect(result.stdoutOmitted).toBe(5_000_008 - 4096)
    expect(result.stdout).toContain(`[… ${5_000_008 - 4096} bytes omitted by PyAgent's output cap …]`)
    expect(result.stdout.length).toBeLessThan(4096 + 100)
    expect(result.stderr).toBe('err')
  })

  it('passes a scrubbed environment', async () => {
    const repo = tempRepo({})
    const result = await runCommand(
      ['node', '-e', 'console.log(JSON.stringify(Object.keys(process.env)))'],
      options(repo.root, {env: {PATH: process.env.PATH, MY_API_TOKEN: 'secret-value', VISIBLE: 'yes'}}),
    )
    const names = JSON.parse(result.stdout) as string[]
    expect(names).toContain('VISIBLE')
    expect(names).not.toContain('MY_API_TOKEN')
  })

  it("lets git find no repository but the workspace's own: none above it, none named by GIT_DIR", async () => {
    // A scratch copy has no .git/; the repository it was copied from (or one its temp directory sits in) must stay out of reach.
    const outer = tempRepo()
    const copy = join(outer.root, 'copy')
    mkdirSync(copy)
    const gitDir = ['git', 'rev-parse', '--absolute-git-dir']
    const above = await runCommand(gitDir, options(copy, {allowed: ['git rev-parse']}))
    expect(above.exitCode).not.toBe(0)
    expect(above.stdout).toBe('')
    const named = await runCommand(gitDir, options(tempDir(), {allowed: ['git rev-parse'], env: {...process.env, GIT_DIR: join(outer.root, '.git')}}))
    expect(named.exitCode).not.toBe(0)
    expect(named.stdout).toBe('')
    // The workspace's own repository is still found, from any directory in it.
    const own = await runCommand(gitDir, options(outer.root, {allowed: ['git rev-parse'], cwd: 'copy'}))
    expect(own.stdout.trim()).toBe(join(outer.root, '.git'))
  })

  it('reports a program missing from PATH instead of throwing', async () => {
    const repo = tempRepo({})
    const result = await runCommand(['sleep', '0'], options(repo.root, {env: {PATH: '/nonexistent'}}))
    expect(result.exitCode).toBeNull()
    expect(result.error).toMatch(/ENOENT|not found/i)
  })
})

const bwrap = bubblewrapAvailable()
if (!bwrap) console.log('SKIP bubblewrap tests: bwrap is not installed or cannot create namespaces here (apt-get install bubblewrap)')

describe.skipIf(!bwrap)('runCommand inside bubblewrap', () => {
  it('has no network, a read-only file system outside the workspace and in .git/, and a writable workspace', async () => {
    const repo = tempRepo({})
    // Outside /tmp, which the sandbox replaces with a private tmpfs.
    const outside = mkdtempSync('/var/tmp/pyagent-outside-')
    onTestFinished(() => rmSync(outside, {recursive: true, force: true}))
    mkdirSync(join(outside, 'd'))
    const hostTmp = tempDir()
    const probe = `
      const fs = require('fs'), os = require('os')
      const tryWrite = (path) => { try { fs.writeFileSync(path, 'x'); return 'wrote' } catch (e) { return e.code } }
      console.log(JSON.stringify({
        interfaces: Object.keys(os.networkInterfaces()).filter((name) => name !== 'lo'),
        outside: tryWrite(${JSON.stringify(join(outside, 'd', 'escape.txt'))}),
        hostTmp: fs.existsSync(${JSON.stringify(hostTmp)}),
        inside: tryWrite('inside.txt'),
        gitHook: tryWrite('.git/hooks/post-checkout'),
      }))`
    const result = await runCommand(['node', '-e', probe], options(repo.root, {sandbox: 'bwrap'}))
    expect(result.sandboxed).toBe(true)
    expect(JSON.parse(result.stdout)).toEqual({interfaces: [], outside: 'EROFS', hostTmp: false, inside: 'wrote', gitHook: 'EROFS'})
    expect(existsSync(join(outside, 'd', 'escape.txt'))).toBe(false)
    expect(readFileSync(join(repo.root, 'inside.txt'), 'utf8')).toBe('x')
  })

  it('cannot reach a server listening on the host loopback, which the same command reaches unsandboxed', async () => {
    const repo = tempRepo({})
    const server = createServer((socket) => socket.end())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const {port} = server.address() as AddressInfo
    const probe = `require('net').connect(${port}, '127.0.0.1').on('error', (e) => console.log(e.code)).on('connect', function () { console.log('connected'); this.destroy() })`
    const open = await runCommand(['node', '-e', probe], options(repo.root, {sandbox: 'none'}))
    expect(open.stdout.trim()).toBe('connected')
    const sandboxed = await runCommand(['node', '-e', probe], options(repo.root, {sandbox: 'bwrap'}))
    expect(sandboxed.stdout.trim()).toMatch(/^E[A-Z]+$/)
  })
})
