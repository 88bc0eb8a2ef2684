/**
 * Recovery repairs only what a crash left, and a failed commit never lands later: the defects
 * of issue 14 (1, 4) as tests. The disk-full cases run on a real, tiny tmpfs inside a private
 * mount namespace (unshare), so nothing outside the test sees it.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

import {applyStates} from '../../src/workspace/apply.js'
import {EditError} from '../../src/workspace/errors.js'
import type {Journal} from '../../src/workspace/journal.js'
import {recover} from '../../src/workspace/recovery.js'
import {Workspace} from '../../src/workspace/workspace.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'

const DEAD_PID = 2 ** 22 + 12345

async function workspaceWith(files: Record<string, string>) {
  const repo = tempRepo(files)
  const workspace = await Workspace.open(repo.root)
  return {repo, workspace, read: (path: string) => readFileSync(join(repo.root, path), 'utf8')}
}

type Entries = Parameters<Journal['journalCommit']>[1]

/** Journals a commit of `writes` and renames only the files named in `landed`, as a kill mid-commit would leave it. */
async function crashMidCommit(workspace: Workspace, writes: Record<string, string>, landed: readonly string[]): Promise<string> {
  const tx = workspace.begin()
  for (const [path, content] of Object.entries(writes)) tx.write(path, content)
  const entries = (tx as unknown as {verify(): Entries}).verify()
  workspace.journal.journalCommit(tx.id, entries)
  const first = entries.filter((entry) => landed.includes(entry.path))
  await applyStates(workspace.root, tx.id, first.map((entry) => ({path: entry.path, target: entry.after, content: entry.afterContent})))
  workspace.db.prepare('UPDATE transactions SET pid = ? WHERE id = ?').run(DEAD_PID, tx.id)
  workspace.close()
  return tx.id
}

function tempFilesIn(root: string): string[] {
  return readdirSync(root, {recursive: true, encoding: 'utf8'}).filter((name) => name.includes('.pyagent-') && name.endsWith('.tmp'))
}

describe('recovery after a crash mid-commit', () => {
  it('keeps a file the person edited after the crash, finishes the others, and puts its own version aside', async () => {
    const {repo, workspace, read} = await workspaceWith({'a.txt': 'a\n', 'b.txt': 'b\n', 'c.txt': 'c\n'})
    const txId = await crashMidCommit(workspace, {'a.txt': 'a2\n', 'b.txt': 'b2\n', 'c.txt': 'c2\n'}, ['a.txt'])
    // Between the crash and the next command, the person edits a file the commit had not reached yet.
    writeFileSync(join(repo.root, 'b.txt'), 'my own b\n')

    const reopened = Workspace.open(repo.root)
    const recovery = await recover(reopened.root, reopened.journal)
    expect(recovery.rolledForward).toEqual([txId])
    expect(read('a.txt')).toBe('a2\n')
    expect(read('c.txt')).toBe('c2\n')
    expect(read('b.txt')).toBe('my own b\n')
    expect(recovery.keptAside).toEqual([{txId, path: 'b.txt', savedAt: join(repo.root, '.pyagent', 'recovered', txId, 'b.txt')}])
    expect(read(`.pyagent/recovered/${txId}/b.txt`)).toBe('b2\n')
    reopened.close()
  })

  it('keeps an edit to a file the commit had already renamed into place', async () => {
    const {repo, workspace, read} = await workspaceWith({'a.txt': 'a\n', 'b.txt': 'b\n', 'c.txt': 'c\n'})
    const txId = await crashMidCommit(workspace, {'a.txt': 'a2\n', 'b.txt': 'b2\n', 'c.txt': 'c2\n'}, ['a.txt', 'c.txt'])
    writeFileSync(join(repo.root, 'a.txt'), 'a2 and my line\n')

    const reopened = Workspace.open(repo.root)
    const recovery = await recover(reopened.root, reopened.journal)
    expect(recovery.rolledForward).toEqual([txId])
    expect(read('a.txt')).toBe('a2 and my line\n')
    expect(read('b.txt')).toBe('b2\n')
    expect(recovery.keptAside.map((kept) => kept.path)).toEqual(['a.txt'])
    reopened.close()
  })

  it('rolls back, keeping the edit, when the one file that had landed was edited after the crash', async () => {
    const {repo, workspace, read} = await workspaceWith({'a.txt': 'a\n', 'b.txt': 'b\n'})
    const txId = await crashMidCommit(workspace, {'a.txt': 'a2\n', 'b.txt': 'b2\n'}, ['a.txt'])
    writeFileSync(join(repo.root, 'a.txt'), 'mine\n')

    const reopened = Workspace.open(repo.root)
    const recovery = await recover(reopened.root, reopened.journal)
    expect(recovery).toMatchObject({rolledForward: [], rolledBack: [txId]})
    expect(read('a.txt')).toBe('mine\n')
    expect(read('b.txt')).toBe('b\n')
    reopened.close()
  })

  it('rolls back a commit none of whose files had landed, so a run that died before writing writes nothing later', async () => {
    const {repo, workspace, read} = await workspaceWith({'a.txt': 'a\n', 'b.txt': 'b\n'})
    const txId = await crashMidCommit(workspace, {'a.txt': 'a2\n', 'b.txt': 'b2\n'}, [])
    writeFileSync(join(repo.root, `.a.txt.pyagent-${txId.slice(0, 8)}.tmp`), 'half')

    const reopened = Workspace.open(repo.root)
    const recovery = await recover(reopened.root, reopened.journal)
    expect(recovery).toMatchObject({rolledForward: [], rolledBack: [txId], keptAside: []})
    expect(read('a.txt')).toBe('a\n')
    expect(read('b.txt')).toBe('b\n')
    expect(tempFilesIn(repo.root)).toEqual([])
    expect(reopened.journal.transaction(txId)!.status).toBe('rolled_back')
    reopened.close()
  })
})

describe('a commit that fails after its journal', () => {
  it('puts every file back, leaves no temp file, and is not landed by the next start even when the journal cannot say so', async () => {
    const {repo, workspace, read} = await workspaceWith({'a.txt': 'a\n', 'b.txt': 'b\n'})
    const journal = workspace.journal
    // The disk fills up just as the final status is written: the files are all in place by then.
    journal.markCommitted = () => {
      throw Object.assign(new Error('database or disk is full'), {code: 'SQLITE_FULL'})
    }
    journal.markEnded = journal.markCommitted
    const tx = workspace.begin()
    tx.write('a.txt', 'a2\n')
    tx.write('b.txt', 'b2\n')
    const failure = await tx.commit().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(EditError)
    expect((failure as Error).message).toMatch(/failed and was rolled back, every file is as before: database or disk is full/)
    expect(read('a.txt')).toBe('a\n')
    expect(read('b.txt')).toBe('b\n')
    expect(tempFilesIn(repo.root)).toEqual([])
    workspace.db.prepare('UPDATE transactions SET pid = ? WHERE id = ?').run(DEAD_PID, tx.id)
    workspace.close()

    const reopened = Workspace.open(repo.root)
    const recovery = await recover(reopened.root, reopened.journal)
    expect(recovery.rolledBack).toEqual([tx.id])
    expect(read('a.txt')).toBe('a\n')
    reopened.close()
  })

  it('reports a journal that cannot be written as a refusal that wrote nothing, not a raw SQLite error', async () => {
    const {workspace, read} = await workspaceWith({'a.txt': 'a\n'})
    workspace.journal.journalCommit = () => {
      throw Object.assign(new Error('database or disk is full'), {code: 'SQLITE_FULL'})
    }
    const tx = workspace.begin()
    tx.write('a.txt', 'a2\n')
    await expect(tx.commit()).rejects.toThrow(EditError)
    await expect(tx.commit()).rejects.toThrow(/rolled back/)
    expect(read('a.txt')).toBe('a\n')
    expect(workspace.journal.transaction(tx.id)!.status).toBe('rolled_back')
    workspace.close()
  })
})

const DISK_FULL_CHILD = fileURLToPath(new URL('disk-full-child.mjs', import.meta.url))

/** Whether this machine lets a test mount a tmpfs in a private mount namespace. */
function canMountTmpfs(): boolean {
  return spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /mnt'], {stdio: 'ignore'}).status === 0
}

describe.skipIf(!canMountTmpfs())('on a disk that is really full (tmpfs in a private mount namespace)', () => {
  it.each([
    ['the file writes', 320],
    ['the journal', 48],
  ])('a commit that runs out of space in %s ends rolled back, says so, leaves no temp file, and stays rolled back', (_where, freeKb) => {
    const dir = tempDir('pyagent-full-')
    const out = execFileSync('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs -o size=1m tmpfs "$1" && exec "$2" "$3" "$1" "$4"`, 'sh', dir, process.execPath, DISK_FULL_CHILD, String(freeKb)], {
      encoding: 'utf8',
    })
    const result = JSON.parse(out.trim().split('\n').at(-1)!)
    expect(result.error).toMatch(/rolled back|nothing was written/)
    expect(result.error).not.toMatch(/^SqliteError/)
    expect(result.after).toBe('small\n')
    expect(result.tempFiles).toEqual([])
    expect(result.recoveredStatus).toBe('rolled_back')
    expect(result.afterRecovery).toBe('small\n')
  })
})
