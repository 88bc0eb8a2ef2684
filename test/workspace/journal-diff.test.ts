import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {readHistory, transactionDiff} from '../../src/workspace/history.js'
import {UndoRefusedError, undo} from '../../src/workspace/undo.js'
import {Workspace} from '../../src/workspace/workspace.js'
import {tempRepo} from '../support/temp-repo.js'

const SOURCE = 'function add(a, b) {\n  return a + b\n}\n\nfunction sub(a, b) {\n  return a - b\n}\n'

async function setup(files: Record<string, string> = {'math.js': SOURCE}) {
  const repo = tempRepo(files)
  const workspace = await Workspace.open(repo.root)
  return {repo, workspace}
}

describe('diffs in show, history and undo', () => {
  it('rebuilds the transaction diff from the journal in git format, creations and deletions included', async () => {
    const {workspace} = await setup({'math.js': SOURCE, 'old.txt': 'bye\n'})
    const tx = workspace.begin()
    tx.write('math.js', SOURCE.replace('a - b', 'b - a'))
    tx.write('new.txt', 'hello\n')
    tx.delete('old.txt')
    await tx.commit()
    const diff = transactionDiff(workspace.journal, tx.id)
    expect(diff).toContain('diff --git a/math.js b/math.js\n--- a/math.js\n+++ b/math.js\n')
    expect(diff).toContain('-  return a - b\n+  return b - a\n')
    expect(diff).toContain('diff --git a/new.txt b/new.txt\nnew file mode 100644\n--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+hello\n')
    expect(diff).toContain('diff --git a/old.txt b/old.txt\ndeleted file mode 100644\n--- a/old.txt\n+++ /dev/null\n')
    const [summary] = readHistory(workspace.db, workspace.journal).untracked
    expect(summary).toMatchObject({linesAdded: 2, linesRemoved: 2})
    workspace.close()
  })

  it('shows what changed since the commit when it refuses an undo', async () => {
    const {repo, workspace} = await setup()
    const tx = workspace.begin()
    tx.write('math.js', SOURCE.replace('a + b', 'a + b + 1'))
    await tx.commit()
    repo.write('math.js', readFileSync(join(repo.root, 'math.js'), 'utf8').replace('a - b', 'a - b - 1'))
    const error = (await undo(workspace, tx.id).catch((caught: unknown) => caught)) as UndoRefusedError
    expect(error).toBeInstanceOf(UndoRefusedError)
    expect(error.diff).toContain('-  return a - b\n+  return a - b - 1\n')
    expect(error.message).toMatch(/math\.js changed after the commit.*--force/)
    workspace.close()
  })
})
