import {chmodSync, existsSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {blake3} from '../../src/native.js'
import {applyStates} from '../../src/workspace/apply.js'
import {CollisionError, EditError, TransactionStateError} from '../../src/workspace/errors.js'
import {recover} from '../../src/workspace/recovery.js'
import {Workspace} from '../../src/workspace/workspace.js'
import {tempRepo} from '../support/temp-repo.js'
import {checkRecovered, interruptMidCommit, seedFiles} from './crash-harness.js'

async function workspaceWith(files: Record<string, string>) {
  const repo = tempRepo(files)
  const workspace = await Workspace.open(repo.root)
  return {repo, workspace, read: (path: string) => readFileSync(join(repo.root, path), 'utf8')}
}

describe('Transaction', () => {
  it('commits writes, creates and deletes together and journals every state', async () => {
    const {repo, workspace, read} = await workspaceWith({'a.txt': 'a\n', 'b.txt': 'b\n'})
    const tx = workspace.begin({message: 'mixed'})
    tx.write('a.txt', 'a2\n')
    tx.write('src/new/d.txt', 'd\n')
    tx.delete('b.txt')
    expect(existsSync(join(repo.root, 'src/new/d.txt'))).toBe(false)
    const result = await tx.commit()

    expect(read('a.txt')).toBe('a2\n')
    expect(read('src/new/d.txt')).toBe('d\n')
    expect(existsSync(join(repo.root, 'b.txt'))).toBe(false)
    expect(result.files.map((file) => [file.path, file.op]).sort()).toEqual([['a.txt', 'write'], ['b.txt', 'delete'], ['src/new/d.txt', 'create']])

    const row = workspace.journal.transaction(tx.id)!
    expect(row.status).toBe('committed')
    const a = workspace.journal.files(tx.id).find((file) => file.path === 'a.txt')!
    expect(workspace.journal.blob(a.before_hash!).toString()).toBe('a\n')
    expect(workspace.journal.blob(a.after_hash!).toString()).toBe('a2\n')
    expect(workspace.journal.locksOf(tx.id)).toEqual([])
    workspace.close()
  })

  it('keeps the mode of a file it rewrites', async () => {
    const {repo, workspace} = await workspaceWith({'tool.sh': '#!/bin/sh\n'})
    chmodSync(join(repo.root, 'tool.sh'), 0o750)
    const tx = workspace.begin()
    tx.write('tool.sh', '#!/bin/sh\necho hi\n')
    await tx.commit()
    expect(statSync(join(repo.root, 'tool.sh')).mode & 0o777).toBe(0o750)
    workspace.close()
  })

  it('stores a blob once however many files and transactions share it', async () => {
    const {workspace} = await workspaceWith({'a.txt': 'same\n', 'b.txt': 'same\n'})
    const tx = workspace.begin()
    tx.write('a.txt', 'new\n')
    tx.write('b.txt', 'new\n')
    await tx.commit()
    const {count} = workspace.db.prepare('SELECT COUNT(*) AS count FROM blobs').get() as {count: number}
    expect(count).toBe(2)
    workspace.close()
  })

  it('reads its own staged edits', async () => {
    const {workspace} = await workspaceWith({'a.txt': 'a\n'})
    const tx = workspace.begin()
    tx.write('a.txt', 'staged\n')
    expect(tx.readText('a.txt')).toBe('staged\n')
    tx.delete('a.txt')
    expect(() => tx.read('a.txt')).toThrow(EditError)
    tx.rollback()
    workspace.close()
  })

  it('aborts the whole commit, touching nothing, when a file changed since it was read', async () => {
    const {repo, workspace, read} = await workspaceWith({'a.txt': 'a\n', 'b.txt': 'b\n'})
    const tx = workspace.begin()
    tx.write('a.txt', 'a2\n')
    tx.readText('b.txt')
    tx.write('b.txt', 'b2\n')
    writeFileSync(join(repo.root, 'b.txt'), 'edited by the user\n')
    const error = await tx.commit().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(CollisionError)
    expect((error as CollisionError).path).toBe('b.txt')
    expect((error as Error).message).toMatch(/b\.txt changed since it was read/)
    expect(read('a.txt')).toBe('a\n')
    expect(read('b.txt')).toBe('edited by the user\n')
    expect(workspace.journal.transaction(tx.id)!.status).toBe('rolled_back')
    expect(() => tx.write('a.txt', 'x')).toThrow(TransactionStateError)
    workspace.close()
  })

  it('refuses a create over a file that appeared after staging', async () => {
    const {repo, workspace} = await workspaceWith({'a.txt': 'a\n'})
    const tx = workspace.begin()
    tx.write('new.txt', 'mine\n')
    writeFileSync(join(repo.root, 'new.txt'), 'theirs\n')
    await expect(tx.commit()).rejects.toThrow(/new\.txt changed since it was read/)
    expect(readFileSync(join(repo.root, 'new.txt'), 'utf8')).toBe('theirs\n')
    workspace.close()
  })

  it('refuses a file that another open transaction holds, naming it, until that one ends', async () => {
    const {repo, workspace} = await workspaceWith({'a.txt': 'a\n'})
    const other = await Workspace.open(repo.root)
    const first = workspace.begin()
    first.write('a.txt', 'first\n')
    const second = other.begin()
    expect(() => second.write('a.txt', 'second\n')).toThrow(CollisionError)
    expect(() => second.write('a.txt', 'second\n')).toThrow(/a\.txt is being edited by another open transaction/)
    first.rollback()
    second.write('a.txt', 'second\n')
    await second.commit()
    expect(readFileSync(join(repo.root, 'a.txt'), 'utf8')).toBe('second\n')
    other.close()
    workspace.close()
  })

  it('rollback of an open transaction drops what is staged and writes nothing', async () => {
    const {workspace, read} = await workspaceWith({'a.txt': 'a\n'})
    const tx = workspace.begin()
    tx.write('a.txt', 'changed\n')
    tx.rollback()
    expect(read('a.txt')).toBe('a\n')
    expect(workspace.journal.transaction(tx.id)!.status).toBe('rolled_back')
    await expect(tx.commit()).rejects.toThrow(TransactionStateError)
    workspace.close()
  })

  it('refuses to edit a binary file as text but replaces it with bytes', async () => {
    const {repo, workspace} = await workspaceWith({})
    repo.write('image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]))
    const tx = workspace.begin()
    expect(() => tx.readText('image.png')).toThrow(/binary file/)
    expect(() => tx.write('image.png', 'text')).toThrow(/binary file/)
    tx.write('image.png', Buffer.from([1, 2, 3]))
    await tx.commit()
    expect([...readFileSync(join(repo.root, 'image.png'))]).toEqual([1, 2, 3])
    workspace.close()
  })

  it('ends rolled back, every file as before, when a write fails during the commit', async () => {
    const {repo, workspace, read} = await workspaceWith({'a.txt': 'a\n'})
    const tx = workspace.begin()
    tx.write('a.txt', 'a2\n')
    tx.write('sub/new.txt', 'new\n')
    // A plain file where the commit needs a directory: the verify step passes, the write fails.
    writeFileSync(join(repo.root, 'sub'), 'in the way\n')
    await expect(tx.commit()).rejects.toThrow(/failed and was rolled back, every file is as before/)
    expect(read('a.txt')).toBe('a\n')
    expect(read('sub')).toBe('in the way\n')
    expect(workspace.journal.transaction(tx.id)!.status).toBe('rolled_back')
    workspace.close()
  })
})

describe('recovery', () => {
  it('rolls a transaction left `committing` by a dead process forward to its after state', async () => {
    const {repo, workspace, read} = await workspaceWith({'a.txt': 'a\n', 'b.txt': 'b\n'})
    workspace.close()
    const txId = await interruptMidCommit(repo.root)

    const reopened = Workspace.open(repo.root)
    const recovery = await recover(reopened.root, reopened.journal)
    expect(recovery.rolledForward).toEqual([txId])
    expect(read('a.txt')).toBe('a2\n')
    expect(existsSync(join(repo.root, 'b.txt'))).toBe(false)
    expect(existsSync(join(repo.root, `.b.txt.pyagent-${txId.slice(0, 8)}.tmp`))).toBe(false)
    expect(reopened.journal.transaction(txId)!.status).toBe('committed')
    reopened.close()
  })

  it('rolls back to the before states when the after states can no longer be written', async () => {
    const {repo, workspace, read} = await workspaceWith({'a.txt': 'a\n'})
    const tx = workspace.begin()
    tx.write('a.txt', 'a2\n')
    tx.write('sub/new.txt', 'new\n')
    const entries = (tx as unknown as {verify(): Parameters<typeof workspace.journal.journalCommit>[1]}).verify()
    workspace.journal.journalCommit(tx.id, entries)
    await applyStates(repo.root, tx.id, [{path: 'a.txt', target: entries[0]!.after, content: entries[0]!.afterContent}])
    // After the crash, a plain file takes the place of the directory the commit needs.
    writeFileSync(join(repo.root, 'sub'), 'in the way\n')
    workspace.db.prepare('UPDATE transactions SET pid = ? WHERE id = ?').run(2 ** 22 + 12345, tx.id)
    workspace.close()

    const reopened = Workspace.open(repo.root)
    const recovery = await recover(reopened.root, reopened.journal)
    expect(recovery).toMatchObject({rolledForward: [], rolledBack: [tx.id], failed: []})
    expect(read('a.txt')).toBe('a\n')
    expect(reopened.journal.transaction(tx.id)!.status).toBe('rolled_back')
    reopened.close()
  })

  it('abandons an open transaction of a dead process and frees its files', async () => {
    const {repo, workspace} = await workspaceWith({'a.txt': 'a\n'})
    const tx = workspace.begin()
    tx.write('a.txt', 'never\n')
    workspace.db.prepare('UPDATE transactions SET pid = ? WHERE id = ?').run(2 ** 22 + 12345, tx.id)
    workspace.close()
    const reopened = Workspace.open(repo.root)
    const recovery = await recover(reopened.root, reopened.journal)
    expect(recovery.abandoned).toEqual([tx.id])
    const next = reopened.begin()
    next.write('a.txt', 'now\n')
    await next.commit()
    expect(readFileSync(join(repo.root, 'a.txt'), 'utf8')).toBe('now\n')
    reopened.close()
  })

  it('the crash check itself rejects files that mix two generations', async () => {
    const {repo} = await workspaceWith({})
    seedFiles(repo.root)
    writeFileSync(join(repo.root, 'f07.txt'), readFileSync(join(repo.root, 'f07.txt'), 'utf8').replace('generation 0', 'generation 1'))
    await expect(checkRecovered(repo.root)).rejects.toThrow(/torn|mix/)
  })
})

describe('blake3 at read time', () => {
  it('is what the journal records as the before hash', async () => {
    const {workspace} = await workspaceWith({'a.txt': 'a\n'})
    const tx = workspace.begin()
    tx.read('a.txt')
    tx.write('a.txt', 'b\n')
    await tx.commit()
    expect(workspace.journal.files(tx.id)[0]!.before_hash).toBe(blake3('a\n'))
    workspace.close()
  })
})

describe('what is not a file', () => {
  it('refuses to write over a directory, with an EditError', async () => {
    const repo = tempRepo({'dir/a.txt': 'a\n'})
    const workspace = await Workspace.open(repo.root)
    const tx = workspace.begin()
    expect(() => tx.write('dir', 'x')).toThrow(EditError)
    expect(() => tx.write('dir', 'x')).toThrow(/not a regular file/)
    tx.rollback()
    workspace.close()
  })
})
