import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {addWorktree, removeWorktree} from '../../src/workspace/worktree.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'

describe('task worktrees', () => {
  it('a `worktree add` killed midway (its entry locked "initializing", commondir empty) does not fail the next task\'s worktree', async () => {
    const repo = tempRepo()
    const head = repo.git('rev-parse', 'HEAD').trim()
    const dir = tempDir()
    const remnant = join(repo.root, '.git', 'worktrees', 'killed')
    mkdirSync(remnant, {recursive: true})
    writeFileSync(join(remnant, 'locked'), 'initializing\n')
    writeFileSync(join(remnant, 'gitdir'), `${join(dir, 'killed')}/.git\n`)
    writeFileSync(join(remnant, 'commondir'), '')
    await addWorktree(repo.root, join(dir, 'next'), 'pyagent/next', head)
    expect(repo.git('worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(2)
    await removeWorktree(repo.root, join(dir, 'next'), {deleteBranch: 'pyagent/next'})
    expect(repo.git('worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1)
    expect(repo.git('branch', '--list', 'pyagent/*')).toBe('')
  })

  it('a retry on another machine, at another path, replaces the worktree the killed attempt left on the task\'s branch', async () => {
    const repo = tempRepo()
    const head = repo.git('rev-parse', 'HEAD').trim()
    const [first, second] = [tempDir(), tempDir()]
    await addWorktree(repo.root, join(first, 'task'), 'pyagent/task', head)
    await addWorktree(repo.root, join(second, 'task'), 'pyagent/task', head)
    const listed = repo.git('worktree', 'list', '--porcelain')
    expect(listed).toContain(join(second, 'task'))
    expect(listed).not.toContain(join(first, 'task'))
  })
})
