import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {Workspace} from '../../src/workspace/workspace.js'
import {runCli} from '../support/cli.js'
import {tempRepo} from '../support/temp-repo.js'

async function committed(files: Record<string, string>, edits: Record<string, string>) {
  const repo = tempRepo(files)
  const workspace = await Workspace.open(repo.root)
  const tx = workspace.begin({message: 'agent edit'})
  for (const [path, content] of Object.entries(edits)) tx.write(path, content)
  await tx.commit()
  workspace.close()
  return {repo, txId: tx.id}
}

describe('pyagent history / show / undo', () => {
  it('history --json lists the transaction and its files', async () => {
    const {repo, txId} = await committed({'a.txt': 'a\n'}, {'a.txt': 'b\n'})
    const result = await runCli(['history', '--json'], {cwd: repo.root})
    expect(result.exitCode).toBe(0)
    const history = JSON.parse(String(result.stdout))
    expect(history.untracked).toMatchObject([{id: txId, status: 'committed', message: 'agent edit', files: [{path: 'a.txt', op: 'write'}]}])
    const text = await runCli(['history'], {cwd: repo.root})
    expect(String(text.stdout)).toContain(`tx ${txId.slice(0, 8)}  committed`)
  })

  it('show --json describes one transaction by id prefix', async () => {
    const {repo, txId} = await committed({'a.txt': 'a\n'}, {'a.txt': 'b\n'})
    const result = await runCli(['show', txId.slice(0, 6), '--json'], {cwd: repo.root})
    expect(result.exitCode).toBe(0)
    expect(JSON.parse(String(result.stdout))).toMatchObject({
      id: txId,
      files: [{path: 'a.txt', linesAdded: 1, linesRemoved: 1}],
      diff: 'diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+b\n',
    })
    const text = await runCli(['show', txId], {cwd: repo.root})
    expect(String(text.stdout)).toContain('write  a.txt  +1 -1')
    expect(String(text.stdout)).toContain('@@ -1 +1 @@\n-a\n+b')
    const missing = await runCli(['show', 'ffffffff'], {cwd: repo.root})
    expect(missing.exitCode).toBe(1)
    expect(String(missing.stderr)).toMatch(/No transaction matches "ffffffff"/)
  })

  it('undo refuses with exit 1 after a later edit, and --force restores', async () => {
    const {repo, txId} = await committed({'a.txt': 'a\n'}, {'a.txt': 'b\n'})
    writeFileSync(join(repo.root, 'a.txt'), 'user\n')
    const refused = await runCli(['undo', txId], {cwd: repo.root})
    expect(refused.exitCode).toBe(1)
    expect(String(refused.stderr)).toMatch(/Refusing to undo: a\.txt changed after the commit/)
    expect(String(refused.stderr)).toContain('-b\n+user')
    expect(readFileSync(join(repo.root, 'a.txt'), 'utf8')).toBe('user\n')

    const forced = await runCli(['undo', txId, '--force', '--json'], {cwd: repo.root})
    expect(forced.exitCode).toBe(0)
    expect(JSON.parse(String(forced.stdout))).toMatchObject({undone: [txId], kind: 'transaction', overwritten: ['a.txt']})
    expect(readFileSync(join(repo.root, 'a.txt'), 'utf8')).toBe('a\n')
  })
})
