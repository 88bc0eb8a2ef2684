import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {openState} from '../../src/state/db.js'
import {createTask} from '../../src/state/tasks.js'
import {LookupError} from '../../src/workspace/errors.js'
import {readHistory} from '../../src/workspace/history.js'
import {UndoRefusedError, undo} from '../../src/workspace/undo.js'
import {Workspace} from '../../src/workspace/workspace.js'
import {tempRepo} from '../support/temp-repo.js'

async function setup(files: Record<string, string>) {
  const repo = tempRepo(files)
  const workspace = await Workspace.open(repo.root)
  const read = (path: string) => readFileSync(join(repo.root, path), 'utf8')
  return {repo, workspace, read}
}

describe('undo', () => {
  it('restores every file of a committed transaction, recreating deleted and removing created files', async () => {
    const {repo, workspace, read} = await setup({'a.txt': 'a\n', 'b.txt': 'b\n'})
    const tx = workspace.begin()
    tx.write('a.txt', 'a2\n')
    tx.delete('b.txt')
    tx.write('c.txt', 'c\n')
    await tx.commit()

    const result = await undo(workspace, tx.id.slice(0, 8))
    expect(read('a.txt')).toBe('a\n')
    expect(read('b.txt')).toBe('b\n')
    expect(existsSync(join(repo.root, 'c.txt'))).toBe(false)
    expect(workspace.journal.transaction(tx.id)!.undone_by).toBe(result.commit.id)
    expect(workspace.journal.undoneBy(result.commit.id)).toEqual([tx.id])
    await expect(undo(workspace, tx.id)).rejects.toThrow(/already undone/)
    workspace.close()
  })

  it('removes the directories a created file brought with it, and no directory that holds anything else', async () => {
    const {repo, workspace} = await setup({'src/keep.txt': 'k\n'})
    const tx = workspace.begin()
    tx.write('src/new/deep/file.ts', 'x\n')
    tx.write('src/other.ts', 'y\n')
    await tx.commit()
    expect(existsSync(join(repo.root, 'src/new/deep/file.ts'))).toBe(true)

    await undo(workspace, tx.id)
    expect(existsSync(join(repo.root, 'src/new'))).toBe(false)
    expect(existsSync(join(repo.root, 'src/other.ts'))).toBe(false)
    expect(existsSync(join(repo.root, 'src/keep.txt'))).toBe(true)
    workspace.close()
  })

  it('refuses when a file changed after the commit, naming it, and --force overrides', async () => {
    const {repo, workspace, read} = await setup({'a.txt': 'a\n', 'b.txt': 'b\n'})
    const tx = workspace.begin()
    tx.write('a.txt', 'a2\n')
    tx.write('b.txt', 'b2\n')
    await tx.commit()
    writeFileSync(join(repo.root, 'b.txt'), 'user edit\n')

    const error = await undo(workspace, tx.id).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(UndoRefusedError)
    expect((error as UndoRefusedError).drifted.map((file) => file.path)).toEqual(['b.txt'])
    expect((error as Error).message).toMatch(/b\.txt changed after the commit/)
    expect(read('a.txt')).toBe('a2\n')
    expect(read('b.txt')).toBe('user edit\n')

    const forced = await undo(workspace, tx.id, {force: true})
    expect(forced.overwritten).toEqual(['b.txt'])
    expect(read('a.txt')).toBe('a\n')
    expect(read('b.txt')).toBe('b\n')
    workspace.close()
  })

  it('undoes every transaction of a task as one, back to the state before the first', async () => {
    const {repo, workspace, read} = await setup({'a.txt': 'v0\n'})
    const db = openState(repo.root)
    const task = createTask(db, {title: 'two steps', role: 'coder'})
    db.close()
    for (const version of ['v1\n', 'v2\n']) {
      const tx = workspace.begin({taskId: task.id})
      tx.write('a.txt', version)
      tx.write(`added-${version.trim()}.txt`, version)
      await tx.commit()
    }
    const result = await undo(workspace, task.id)
    expect(result.target.kind).toBe('task')
    expect(result.target.transactions).toHaveLength(2)
    expect(read('a.txt')).toBe('v0\n')
    expect(existsSync(join(repo.root, 'added-v1.txt'))).toBe(false)
    expect(existsSync(join(repo.root, 'added-v2.txt'))).toBe(false)
    for (const tx of result.target.transactions) expect(workspace.journal.transaction(tx.id)!.undone_by).toBe(result.commit.id)
    await expect(undo(workspace, task.id)).rejects.toThrow(/no committed transaction left/)
    workspace.close()
  })

  it('can undo an undo (redo)', async () => {
    const {workspace, read} = await setup({'a.txt': 'a\n'})
    const tx = workspace.begin()
    tx.write('a.txt', 'a2\n')
    await tx.commit()
    const first = await undo(workspace, tx.id)
    await undo(workspace, first.commit.id)
    expect(read('a.txt')).toBe('a2\n')
    workspace.close()
  })

  it('undoes a task again after its undo was undone: the redone changes are what is left', async () => {
    const {repo, workspace, read} = await setup({'a.txt': 'v0\n'})
    const db = openState(repo.root)
    const task = createTask(db, {title: 'edit a', role: 'coder'})
    db.close()
    const tx = workspace.begin({taskId: task.id})
    tx.write('a.txt', 'v1\n')
    await tx.commit()
    const undone = await undo(workspace, task.id)
    expect(read('a.txt')).toBe('v0\n')
    await expect(undo(workspace, task.id)).rejects.toThrow(/no committed transaction left/)
    await undo(workspace, undone.commit.id)
    expect(read('a.txt')).toBe('v1\n')

    await undo(workspace, task.id)
    expect(read('a.txt')).toBe('v0\n')
    await expect(undo(workspace, task.id)).rejects.toThrow(/no committed transaction left/)
    workspace.close()
  })

  it('points a transaction whose undo was undone at the transaction that put its changes back', async () => {
    const {workspace, read} = await setup({'a.txt': 'v0\n'})
    const tx = workspace.begin()
    tx.write('a.txt', 'v1\n')
    await tx.commit()
    const undone = await undo(workspace, tx.id)
    await expect(undo(workspace, tx.id)).rejects.toThrow(`was already undone by ${undone.commit.id}`)
    const redone = await undo(workspace, undone.commit.id)
    expect(read('a.txt')).toBe('v1\n')

    const attempt = undo(workspace, tx.id)
    await expect(attempt).rejects.toThrow(LookupError)
    await expect(attempt).rejects.toThrow(`its changes are in again through ${redone.commit.id}; run \`pyagent undo ${redone.commit.id}\``)
    await undo(workspace, redone.commit.id)
    expect(read('a.txt')).toBe('v0\n')
    workspace.close()
  })

  it('names what it cannot find or cannot tell apart', async () => {
    const {workspace} = await setup({'a.txt': 'a\n'})
    await expect(undo(workspace, 'zzzzzzzz')).rejects.toThrow(LookupError)
    await expect(undo(workspace, 'ab')).rejects.toThrow(/at least 4 characters/)
    const open = workspace.begin()
    open.write('a.txt', 'x\n')
    await expect(undo(workspace, open.id)).rejects.toThrow(/is open; only a committed transaction/)
    open.rollback()
    workspace.close()
  })
})

describe('history', () => {
  it('groups transactions under their tasks with their files and undo links', async () => {
    const {repo, workspace} = await setup({'a.txt': 'a\n'})
    const db = openState(repo.root)
    const task = createTask(db, {title: 'fix the bug', role: 'coder'})
    db.close()
    const tx = workspace.begin({taskId: task.id, message: 'edit a', git: {head: 'abc123', dirty: true}})
    tx.write('a.txt', 'b\n')
    await tx.commit()
    const loose = workspace.begin({message: 'no task'})
    loose.write('n.txt', 'n\n')
    await loose.commit()
    await undo(workspace, tx.id)

    const history = readHistory(workspace.db, workspace.journal)
    expect(history.tasks).toHaveLength(1)
    expect(history.tasks[0]!.title).toBe('fix the bug')
    const [undoTx, original] = history.tasks[0]!.transactions
    expect(undoTx!.undoes).toEqual([tx.id])
    expect(original).toMatchObject({id: tx.id, message: 'edit a', gitHead: 'abc123', gitDirty: true, undoneBy: undoTx!.id})
    expect(original!.files).toMatchObject([{path: 'a.txt', op: 'write'}])
    expect(history.untracked.map((entry) => entry.message)).toEqual(['no task'])
    workspace.close()
  })
})
