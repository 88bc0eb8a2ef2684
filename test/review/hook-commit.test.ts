import {describe, expect, it} from 'vitest'

import {installHook} from '../../src/review/hook.js'
import {tempRepo} from '../support/temp-repo.js'
import {commitThroughHooks, installNpmPackage, mitPackageJson, PLANTED_TOKEN} from './support.js'


function commits(repo: ReturnType<typeof tempRepo>): number {
  return Number(repo.git('rev-list', '--count', 'HEAD').trim())
}

describe('the pre-commit hook in a real git commit', () => {
  it('blocks a planted secret, lets it through with PYAGENT_SKIP_HOOK=1, and lets a clean change through', async () => {
    const repo = tempRepo({'package.json': mitPackageJson(), 'app.py': 'print("hi")\n'})
    await installHook(repo.root)

    repo.write('app.py', `print("hi")\nGITHUB_TOKEN = "${PLANTED_TOKEN}"\n`)
    repo.git('add', 'app.py')
    const blocked = commitThroughHooks(repo.root)
    expect(blocked.status).not.toBe(0)
    expect(blocked.output).toContain('app.py:2')
    expect(blocked.output).toContain('secret/added')
    expect(commits(repo)).toBe(1)

    expect(commitThroughHooks(repo.root, {PYAGENT_SKIP_HOOK: '1'}).status).toBe(0)
    expect(commits(repo)).toBe(2)

    repo.write('app.py', 'print("hello")\n')
    repo.git('add', 'app.py')
    const clean = commitThroughHooks(repo.root)
    expect(clean.output).toContain('0 errors')
    expect(clean.status).toBe(0)
    expect(commits(repo)).toBe(3)
  })

  it('blocks a GPL dependency in an MIT repository', async () => {
    const repo = tempRepo({'package.json': mitPackageJson()})
    installNpmPackage(repo, 'gpl-widget', 'GPL-3.0-only')
    await installHook(repo.root)

    repo.write('package.json', mitPackageJson({'gpl-widget': '^1.0.0'}))
    repo.git('add', 'package.json')
    const blocked = commitThroughHooks(repo.root)
    expect(blocked.status).not.toBe(0)
    expect(blocked.output).toContain('dependency gpl-widget (^1.0.0) is licensed GPL-3.0-only')
    expect(commits(repo)).toBe(1)
  })
})
