import {readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {diffLines, TextEngineError} from '../../src/native.js'
import {EditError} from '../../src/workspace/errors.js'
import {readHistory, transactionDiff} from '../../src/workspace/history.js'
import {UndoRefusedError, undo} from '../../src/workspace/undo.js'
import {Workspace} from '../../src/workspace/workspace.js'
import {tempRepo} from '../support/temp-repo.js'

const SOURCE = 'function add(a, b) {\n  return a + b\n}\n\nfunction sub(a, b) {\n  return a - b\n}\n'

async function setup(files: Record<string, string> = {'math.js': SOURCE}) {
  const repo = tempRepo(files)
  const workspace = await Workspace.open(repo.root)
  return {repo, workspace, read: (path: string) => readFileSync(join(repo.root, path), 'utf8')}
}

describe('patch and search/replace staging (native engine)', () => {
  it('stages a unified diff against the hash read, commits it, and counts its lines', async () => {
    const {workspace, read} = await setup()
    const wanted = SOURCE.replace('a + b', 'a + b + 0').replace('a - b', 'a - b - 0')
    const {unified} = diffLines(SOURCE, wanted, {aPath: 'math.js'})
    const tx = workspace.begin()
    const applied = tx.patch('math.js', unified)
    expect(applied.hunks.map((hunk) => hunk.offset)).toEqual([0])
    expect(read('math.js')).toBe(SOURCE)
    await tx.commit()
    expect(read('math.js')).toBe(wanted)
    expect(workspace.journal.files(tx.id)[0]).toMatchObject({op: 'patch', lines_added: 2, lines_removed: 2})
    workspace.close()
  })

  it('applies a hunk whose lines moved, at the nearest offset', async () => {
    const {repo, workspace, read} = await setup()
    const {unified} = diffLines(SOURCE, SOURCE.replace('a - b', 'b - a'), {aPath: 'math.js'})
    repo.write('math.js', `// header\n// added by someone\n${SOURCE}`)
    const tx = workspace.begin()
    const applied = tx.patch('math.js', unified)
    expect(applied.hunks[0]!.offset).toBe(2)
    await tx.commit()
    expect(read('math.js')).toContain('return b - a')
    workspace.close()
  })

  it('refuses a patch whose hunk does not apply, naming the file and keeping the typed cause; nothing is staged', async () => {
    const {workspace} = await setup()
    const foreign = '--- a/math.js\n+++ b/math.js\n@@ -1,3 +1,3 @@\n function mul(a, b) {\n-  return a * b\n+  return b * a\n }\n'
    const tx = workspace.begin()
    const error = (() => {
      try {
        tx.patch('math.js', foreign)
      } catch (caught) {
        return caught as EditError
      }
    })()
    expect(error).toBeInstanceOf(EditError)
    expect(error!.message).toMatch(/^math\.js: /)
    expect(TextEngineError.is(error!.cause, 'E_HUNK_FAILED')).toBe(true)
    expect(tx.changes()).toEqual([])
    tx.rollback()
    workspace.close()
  })

  it('stages search/replace edits in order and refuses an ambiguous or missing search whole', async () => {
    const {workspace, read} = await setup()
    const tx = workspace.begin()
    tx.edit('math.js', [
      {search: 'return a + b', replace: 'return a + b // sum'},
      {search: 'function sub', replace: 'function subtract'},
    ])
    expect(() => tx.edit('math.js', [{search: '(a, b)', replace: '(x, y)'}])).toThrow(/math\.js: /)
    expect(() => tx.edit('math.js', [{search: 'no such text', replace: 'x'}])).toThrow(EditError)
    await tx.commit()
    expect(read('math.js')).toBe(SOURCE.replace('return a + b', 'return a + b // sum').replace('function sub', 'function subtract'))
    workspace.close()
  })

  it('edits what is staged when the file was already edited in the transaction', async () => {
    const {workspace, read} = await setup()
    const tx = workspace.begin()
    tx.edit('math.js', [{search: 'a + b', replace: 'a + b + 1'}])
    tx.edit('math.js', [{search: 'a + b + 1', replace: 'a + b + 2'}])
    await tx.commit()
    expect(read('math.js')).toContain('a + b + 2')
    workspace.close()
  })

  it('refuses to patch or edit a binary file', async () => {
    const {repo, workspace} = await setup({})
    repo.write('logo.png', Buffer.from([0x89, 0x50, 0x00, 0x01]))
    const tx = workspace.begin()
    expect(() => tx.edit('logo.png', [{search: 'P', replace: 'Q'}])).toThrow(/binary file/)
    expect(() => tx.patch('logo.png', '--- a/logo.png\n+++ b/logo.png\n')).toThrow(/binary file/)
    tx.rollback()
    workspace.close()
  })

  it('detects a collision when the file changed after the edit was staged', async () => {
    const {repo, workspace, read} = await setup()
    const tx = workspace.begin()
    tx.edit('math.js', [{search: 'a + b', replace: 'b + a'}])
    repo.write('math.js', `${SOURCE}// user\n`)
    await expect(tx.commit()).rejects.toThrow(/math\.js changed since it was read/)
    expect(read('math.js')).toBe(`${SOURCE}// user\n`)
    workspace.close()
  })
})

describe('diffs in show, history and undo', () => {
  it('rebuilds the transaction diff from the journal in git format, creations and deletions included', async () => {
    const {workspace} = await setup({'math.js': SOURCE, 'old.txt': 'bye\n'})
    const tx = workspace.begin()
    tx.edit('math.js', [{search: 'a - b', replace: 'b - a'}])
    tx.create('new.txt', 'hello\n')
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
    tx.edit('math.js', [{search: 'a + b', replace: 'a + b + 1'}])
    await tx.commit()
    repo.write('math.js', readFileSync(join(repo.root, 'math.js'), 'utf8').replace('a - b', 'a - b - 1'))
    const error = (await undo(workspace, tx.id).catch((caught: unknown) => caught)) as UndoRefusedError
    expect(error).toBeInstanceOf(UndoRefusedError)
    expect(error.diff).toContain('-  return a - b\n+  return a - b - 1\n')
    expect(error.message).toMatch(/math\.js changed after the commit.*--force/)
    workspace.close()
  })
})

describe('applyPatchSet', () => {
  const PATCH = [
    'diff --git a/math.js b/math.js',
    '--- a/math.js',
    '+++ b/math.js',
    '@@ -1,3 +1,3 @@',
    ' function add(a, b) {',
    '-  return a + b',
    '+  return b + a',
    ' }',
    'diff --git a/old.txt b/renamed.txt',
    'similarity index 80%',
    'rename from old.txt',
    'rename to renamed.txt',
    '--- a/old.txt',
    '+++ b/renamed.txt',
    '@@ -1,2 +1,2 @@',
    ' keep',
    '-drop',
    '+new',
    'diff --git a/created.txt b/created.txt',
    'new file mode 100644',
    '--- /dev/null',
    '+++ b/created.txt',
    '@@ -0,0 +1 @@',
    '+hello',
    'diff --git a/gone.txt b/gone.txt',
    'deleted file mode 100644',
    '--- a/gone.txt',
    '+++ /dev/null',
    '@@ -1 +0,0 @@',
    '-bye',
    'diff --git a/run.sh b/run.sh',
    'old mode 100644',
    'new mode 100755',
    '',
  ].join('\n')

  it('stages modifications, a rename with changes, a creation, a deletion and a mode change as one', async () => {
    const {repo, workspace, read} = await setup({'math.js': SOURCE, 'old.txt': 'keep\ndrop\n', 'gone.txt': 'bye\n', 'run.sh': 'echo\n'})
    const tx = workspace.begin()
    const files = tx.applyPatchSet(PATCH)
    expect(files.map((file) => file.kind)).toEqual(['modify', 'rename', 'create', 'delete', 'modify'])
    await tx.commit()
    expect(read('math.js')).toContain('return b + a')
    expect(read('renamed.txt')).toBe('keep\nnew\n')
    expect(read('created.txt')).toBe('hello\n')
    expect(() => read('old.txt')).toThrow(/ENOENT/)
    expect(() => read('gone.txt')).toThrow(/ENOENT/)
    expect(statSync(join(repo.root, 'run.sh')).mode & 0o777).toBe(0o755)
    workspace.close()
  })

  it('stages nothing when one file of the patch does not apply', async () => {
    const {workspace} = await setup({'math.js': SOURCE, 'old.txt': 'keep\nDIFFERENT\n', 'gone.txt': 'bye\n', 'run.sh': 'echo\n'})
    const tx = workspace.begin()
    tx.write('run.sh', 'echo staged before\n')
    expect(() => tx.applyPatchSet(PATCH)).toThrow(/old\.txt: /)
    expect(tx.changes().map((file) => file.path)).toEqual(['run.sh'])
    tx.rollback()
    workspace.close()
  })

  it('refuses paths the sandbox refuses', async () => {
    const {workspace} = await setup()
    const tx = workspace.begin()
    const escape = 'diff --git a/../x b/../x\nnew file mode 100644\n--- /dev/null\n+++ b/../x\n@@ -0,0 +1 @@\n+x\n'
    expect(() => tx.applyPatchSet(escape)).toThrow(/outside the workspace/)
    const hook = 'diff --git a/.git/hooks/pre-commit b/.git/hooks/pre-commit\nnew file mode 100755\n--- /dev/null\n+++ b/.git/hooks/pre-commit\n@@ -0,0 +1 @@\n+x\n'
    expect(() => tx.applyPatchSet(hook)).toThrow(/never edits/)
    tx.rollback()
    workspace.close()
  })
})
