/**
 * Recovery that cannot finish a commit rolls it back from what is on disk after its attempt,
 * not from what it saw before: a forward attempt that renamed one file and then failed must
 * see that file put back too.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it, vi} from 'vitest'

import type {StateChange} from '../../src/workspace/apply.js'
import type {Journal} from '../../src/workspace/journal.js'
import {recover} from '../../src/workspace/recovery.js'
import {Workspace} from '../../src/workspace/workspace.js'
import {tempRepo} from '../support/temp-repo.js'

const failing = vi.hoisted(() => ({armed: false}))

vi.mock('../../src/workspace/apply.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/workspace/apply.js')>()
  return {
    ...actual,
    /** Armed, the next call lands its first change and then fails, as a rename failing half-way through would. */
    applyStates: async (root: string, txId: string, changes: readonly StateChange[]) => {
      if (!failing.armed) return actual.applyStates(root, txId, changes)
      failing.armed = false
      await actual.applyStates(root, txId, changes.slice(0, 1))
      throw new Error('rename failed half-way')
    },
  }
})

describe('recovery rolling back after a failed forward attempt', () => {
  it('puts back a file the failed attempt had already moved to its after state', async () => {
    const repo = tempRepo({'a.txt': 'a\n', 'b.txt': 'b\n', 'c.txt': 'c\n'})
    const workspace = await Workspace.open(repo.root)
    const tx = workspace.begin()
    for (const name of ['a', 'b', 'c']) tx.write(`${name}.txt`, `${name}2\n`)
    const entries = (tx as unknown as {verify(): Parameters<Journal['journalCommit']>[1]}).verify()
    workspace.journal.journalCommit(tx.id, entries)
    // The crash came after c.txt was renamed: a and b are still as before.
    const {applyStates} = await import('../../src/workspace/apply.js')
    await applyStates(repo.root, tx.id, [{path: 'c.txt', target: entries[2]!.after, content: entries[2]!.afterContent}])
    workspace.db.prepare('UPDATE transactions SET pid = ? WHERE id = ?').run(2 ** 22 + 12345, tx.id)
    workspace.close()

    failing.armed = true
    const reopened = Workspace.open(repo.root)
    const recovery = await recover(reopened.root, reopened.journal)
    const read = (path: string) => readFileSync(join(repo.root, path), 'utf8')
    expect(recovery.rolledBack).toEqual([tx.id])
    expect([read('a.txt'), read('b.txt'), read('c.txt')]).toEqual(['a\n', 'b\n', 'c\n'])
    reopened.close()
  })
})
