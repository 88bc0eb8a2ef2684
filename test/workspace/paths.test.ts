import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {PathPolicyError} from '../../src/workspace/errors.js'
import {isBinary, PathGuard} from '../../src/workspace/paths.js'
import {Workspace} from '../../src/workspace/workspace.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'

/** A plain directory is enough: the guard never asks git. */
function guardFor(denyPaths: string[] = []) {
  const root = tempDir()
  for (const dir of ['src', 'docs', '.git']) mkdirSync(join(root, dir))
  writeFileSync(join(root, 'src/a.ts'), 'a\n')
  return {repo: {root}, guard: new PathGuard(root, denyPaths)}
}

function refusal(guard: PathGuard, path: string): string {
  try {
    guard.resolve(path)
  } catch (error) {
    expect(error).toBeInstanceOf(PathPolicyError)
    return (error as Error).message
  }
  throw new Error(`${path} was allowed`)
}

describe('PathGuard', () => {
  it('resolves ordinary relative and absolute paths inside the root to one canonical name', () => {
    const {repo, guard} = guardFor()
    expect(guard.resolve('src/a.ts').relative).toBe('src/a.ts')
    expect(guard.resolve('./src/../src/a.ts').relative).toBe('src/a.ts')
    expect(guard.resolve(join(repo.root, 'src/a.ts')).relative).toBe('src/a.ts')
    expect(guard.resolve('new/dir/file.txt').relative).toBe('new/dir/file.txt')
  })

  it.each(['../outside.txt', 'src/../../outside.txt', '/etc/passwd', '..', '/'])('refuses %s as outside the workspace', (path) => {
    const {guard} = guardFor()
    expect(refusal(guard, path)).toMatch(/outside the workspace|names the workspace root/)
  })

  it('refuses a symlink to /etc and a symlinked directory that leads outside', () => {
    const {repo, guard} = guardFor()
    symlinkSync('/etc/passwd', join(repo.root, 'passwd-link'))
    symlinkSync('/etc', join(repo.root, 'etc-dir'))
    const outside = tempDir()
    symlinkSync(outside, join(repo.root, 'linked'))
    expect(refusal(guard, 'passwd-link')).toMatch(/resolves to \/etc\/passwd, outside the workspace/)
    expect(refusal(guard, 'etc-dir/hosts')).toMatch(/outside the workspace/)
    expect(refusal(guard, 'linked/new-file.txt')).toMatch(/outside the workspace/)
  })

  it('follows a symlink that stays inside and records the real name', () => {
    const {repo, guard} = guardFor()
    symlinkSync(join(repo.root, 'src'), join(repo.root, 'alias'))
    expect(guard.resolve('alias/a.ts').relative).toBe('src/a.ts')
  })

  it('refuses a symlink that leads into .git/', () => {
    const {repo, guard} = guardFor()
    symlinkSync(join(repo.root, '.git'), join(repo.root, 'innocent'))
    expect(refusal(guard, 'innocent/config')).toMatch(/inside \.git\//)
  })

  it('refuses a dangling symlink rather than guess where it leads', () => {
    const {repo, guard} = guardFor()
    symlinkSync('/nonexistent/target', join(repo.root, 'dangling'))
    expect(refusal(guard, 'dangling')).toMatch(/symlink to a missing target/)
  })

  it.each(['.git/config', '.git/hooks/pre-commit', '.pyagent/state.db', 'sub/.git/HEAD', '.GIT/config', '.Git/hooks/x', '.PyAgent/x'])(
    'refuses reserved %s, whatever its case',
    (path) => {
      const {guard} = guardFor()
      expect(refusal(guard, path)).toMatch(/which PyAgent never edits/)
    },
  )

  it.each([
    ['fullwidth dots', '\uff0e\uff0e/etc/passwd', /look-alike/],
    ['fullwidth .git', '.\uff47\uff49\uff54/config', /never edits/],
    ['zero-width space', '.g\u200bit/config', /invisible/],
    ['right-to-left override', 'src/\u202etxt.exe', /invisible/],
    ['NUL byte', 'src/a.ts\u0000.png', /control/],
  ])('refuses a disguised path (%s)', (_name, path, reason) => {
    const {guard} = guardFor()
    expect(refusal(guard, path)).toMatch(reason)
  })

  it('applies the configured deny list to names anywhere, case-insensitively, and to whole directories', () => {
    const {guard} = guardFor(['.env', '*.pem', 'secrets/', 'config/prod/**'])
    expect(refusal(guard, '.env')).toMatch(/deny rule "\.env"/)
    expect(refusal(guard, 'services/api/.ENV')).toMatch(/deny rule/)
    expect(refusal(guard, 'certs/server.PEM')).toMatch(/deny rule "\*\.pem"/)
    expect(refusal(guard, 'secrets/db.json')).toMatch(/deny rule "secrets\/"/)
    expect(refusal(guard, 'config/prod/keys.yml')).toMatch(/deny rule/)
    expect(guard.allows('config/dev/keys.yml')).toBe(true)
    expect(guard.allows('src/env.ts')).toBe(true)
  })

  it('is what transactions use: nothing is staged for a refused path', async () => {
    const repo = tempRepo({'a.txt': 'a\n'})
    mkdirSync(join(repo.root, 'd'))
    const workspace = await Workspace.open(repo.root, {denyPaths: ['*.pem']})
    const tx = workspace.begin()
    expect(() => tx.write('../escape.txt', 'x')).toThrow(PathPolicyError)
    expect(() => tx.write('.git/hooks/post-commit', 'x')).toThrow(PathPolicyError)
    expect(() => tx.write('d/key.pem', 'x')).toThrow(PathPolicyError)
    expect(tx.changes()).toEqual([])
    tx.rollback()
    workspace.close()
  })
})

describe('isBinary', () => {
  it('calls text text and NUL-bearing or invalid UTF-8 content binary', () => {
    expect(isBinary(Buffer.from('plain text, ünïcödé ✓\n'))).toBe(false)
    expect(isBinary(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00]))).toBe(true)
    expect(isBinary(Buffer.from([0xff, 0xfe, 0x41]))).toBe(true)
  })

})
