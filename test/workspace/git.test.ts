import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {GitStateError} from '../../src/workspace/errors.js'
import {autoCommit, commitMessage, gitSnapshot, prepareTask} from '../../src/workspace/git.js'
import {undo} from '../../src/workspace/undo.js'
import {Workspace} from '../../src/workspace/workspace.js'
import {conflictingBranches, tempDir, tempRepo} from '../support/temp-repo.js'

describe('git', () => {
  it('records HEAD and whether the tree is dirty', async () => {
    const repo = tempRepo({'a.txt': 'a\n'})
    const head = repo.git('rev-parse', 'HEAD').trim()
    expect(await gitSnapshot(repo.root)).toMatchObject({head, branch: 'main', dirty: false, changed: []})
    repo.write('a.txt', 'changed\n')
    expect(await gitSnapshot(repo.root)).toMatchObject({head, dirty: true, changed: ['a.txt']})
  })

  it('works in a repository without commits and outside git', async () => {
    const empty = tempRepo({})
    expect(await prepareTask(empty.root)).toMatchObject({head: null, dirty: false})
    expect(await prepareTask(tempDir())).toBeNull()
  })

  it('refuses a repository in the middle of a merge, saying how to finish it', async () => {
    const repo = conflictingBranches()
    expect(() => repo.git('merge', '-q', 'other')).toThrow()
    const error = await prepareTask(repo.root).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(GitStateError)
    expect((error as Error).message).toMatch(/middle of a merge.*git merge --abort/)
  })

  it('refuses a repository in the middle of a rebase', async () => {
    const repo = conflictingBranches()
    repo.git('checkout', '-q', 'other')
    expect(() => repo.git('rebase', '-q', 'main')).toThrow()
    await expect(prepareTask(repo.root)).rejects.toThrow(/middle of a rebase/)
  })

  it("auto-commits exactly the task's paths, deletions included, leaving the user's other changes alone", async () => {
    const repo = tempRepo({'a.txt': 'a\n', 'gone.txt': 'x\n', 'user.txt': 'u\n'})
    repo.write('a.txt', 'a2\n')
    repo.write('new.txt', 'n\n')
    rmSync(join(repo.root, 'gone.txt'))
    repo.write('user.txt', 'user edit\n')
    const hash = await autoCommit(repo.root, {taskId: 'task', title: 'Fix the parser', transactionIds: ['tx-1'], paths: ['a.txt', 'new.txt', 'gone.txt']})
    expect(hash).toBe(repo.git('rev-parse', 'HEAD').trim())
    expect(repo.git('show', '--name-status', '--format=%B', 'HEAD')).toContain('pyagent: Fix the parser')
    expect(repo.git('show', '--name-status', '--format=', 'HEAD').trim().split('\n').sort()).toEqual(['A\tnew.txt', 'D\tgone.txt', 'M\ta.txt'])
    expect(repo.git('status', '--porcelain').trim()).toBe('M user.txt')
  })

  it('commits the rest when a file the task created was deleted again, and nothing when nothing changed', async () => {
    const repo = tempRepo({'a.txt': 'a\n'})
    const head = repo.git('rev-parse', 'HEAD').trim()
    expect(await autoCommit(repo.root, {taskId: 'task', title: 'nothing', transactionIds: ['tx-1'], paths: ['a.txt', 'scratch.txt']})).toBeNull()
    expect(repo.git('rev-parse', 'HEAD').trim()).toBe(head)
    repo.write('a.txt', 'a2\n')
    await autoCommit(repo.root, {taskId: 'task', title: 'Edit a', transactionIds: ['tx-2'], paths: ['a.txt', 'scratch.txt']})
    expect(repo.git('show', '--name-only', '--format=', 'HEAD').trim()).toBe('a.txt')
  })

  it('writes a message that names the transactions', () => {
    expect(commitMessage({title: 'Add tests\nmore detail', transactionIds: ['t1', 't2'], paths: ['x']})).toBe(
      'pyagent: Add tests\n\n1 file changed in transaction t1, t2.\nPyAgent-Transaction: t1 t2',
    )
  })
})

describe('autoCommit after a task', () => {
  it("commits the task's files: one whose edits were undone is named and records nothing, other changes stay out", async () => {
    const repo = tempRepo({'a.txt': 'a\n', 'b.txt': 'b\n', 'other.txt': 'o\n'})
    const workspace = await Workspace.open(repo.root)
    const kept = workspace.begin()
    kept.write('a.txt', 'a2\n')
    await kept.commit()
    const undone = workspace.begin()
    undone.write('b.txt', 'b2\n')
    await undone.commit()
    await undo(workspace, undone.id)
    repo.write('other.txt', 'o2\n')

    const commit = await autoCommit(repo.root, {taskId: 'task', title: 'Tidy the files', transactionIds: [kept.id, undone.id], paths: ['a.txt', 'b.txt']})
    expect(commit).toBe(repo.git('rev-parse', 'HEAD').trim())
    expect(repo.git('show', '--name-only', '--format=%s', 'HEAD').trim().split('\n')).toEqual(['pyagent: Tidy the files', '', 'a.txt'])
    expect(repo.git('status', '--porcelain').trim()).toBe('M other.txt')
    workspace.close()
  })
})
