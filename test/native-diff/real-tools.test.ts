/**
 * Byte compatibility with the real tools, a few hundred cases per direction, each direction in a
 * handful of process runs: one multi-file patch per tool instead of one process per case.
 */
import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'
import fc from 'fast-check'
import {afterAll, describe, expect, it} from 'vitest'
import {applyPatch, diffLines, parsePatch, type DiffAlgorithm} from '../../src/native.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'
import {mutatedSourcePair, randomPair, realSources} from './cases.js'

interface Case {
  name: string
  a: string
  b: string
}

const cases: Case[] = [
  ...fc.sample(mutatedSourcePair(realSources()), {seed: 4, numRuns: 260}),
  ...fc.sample(randomPair, {seed: 5, numRuns: 80}),
]
  .filter(({a, b}) => a !== b)
  .map(({a, b}, i) => ({name: `c${i}.txt`, a, b}))

const GIT_ENV = {...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null'}

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, {cwd, encoding: 'utf8', env: GIT_ENV, maxBuffer: 1 << 28})
  if (result.error) throw result.error
  return result
}

function writeTree(dir: string, pick: (c: Case) => string): string {
  mkdirSync(dir, {recursive: true})
  for (const c of cases) writeFileSync(join(dir, c.name), pick(c))
  return dir
}

/** File content after a tool ran; a tool may delete a file it emptied. */
function contentOf(dir: string, name: string): string {
  const path = join(dir, name)
  return existsSync(path) ? readFileSync(path, 'utf8') : ''
}

function expectTreeMatchesB(dir: string) {
  const wrong = cases.filter((c) => contentOf(dir, c.name) !== c.b).map((c) => c.name)
  expect(wrong).toEqual([])
}

it('has a few hundred differing cases', () => {
  expect(cases.length).toBeGreaterThan(250)
})

describe.each<DiffAlgorithm>(['myers', 'histogram'])('our %s diffs applied by the real tools', (algorithm) => {
  const patch = cases.map((c) => diffLines(c.a, c.b, {algorithm, aPath: c.name}).unified).join('')

  it('git apply --check accepts them and git apply produces b', () => {
    const dir = writeTree(join(tempDir(), 'tree'), (c) => c.a)
    writeFileSync(join(dir, '..', 'all.patch'), patch)
    const check = run('git', ['apply', '--check', '../all.patch'], dir)
    expect(check.stderr).toBe('')
    expect(check.status).toBe(0)
    const apply = run('git', ['apply', '--whitespace=nowarn', '../all.patch'], dir)
    expect(apply.stderr).toBe('')
    expectTreeMatchesB(dir)
  })

  it('GNU patch applies them without offset or fuzz and produces b', () => {
    const dir = writeTree(join(tempDir(), 'tree'), (c) => c.a)
    writeFileSync(join(dir, '..', 'all.patch'), patch)
    const result = run('patch', ['-p1', '--batch', '--forward', '--no-backup-if-mismatch', '-i', '../all.patch'], dir)
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).not.toMatch(/offset|fuzz|FAILED|garbage/i)
    expectTreeMatchesB(dir)
  })
})

describe('patches printed by the real tools applied by applyPatch', () => {
  // The tools only read the trees: write them once for every test of this block.
  let trees: string | undefined
  const root = () => {
    if (!trees) {
      trees = mkdtempSync(join(tmpdir(), 'pyagent-diff-trees-'))
      writeTree(join(trees, 'A'), (c) => c.a)
      writeTree(join(trees, 'B'), (c) => c.b)
    }
    return trees
  }
  afterAll(() => {
    if (trees) rmSync(trees, {recursive: true, force: true})
  })

  function expectAppliesAll(output: string) {
    const files = parsePatch(output)
    expect(files.length).toBe(cases.length)
    const byName = new Map(cases.map((c) => [c.name, c]))
    for (const file of files) {
      const c = byName.get(basename(file.newPath ?? ''))!
      expect(applyPatch(c.a, file.patch).text, c.name).toBe(c.b)
    }
  }

  it.each([[[]], [['--histogram', '-U1']]])('git diff --no-index %j', (extra) => {
    const dir = root()
    const result = run('git', ['diff', '--no-index', '--no-color', '--no-ext-diff', ...extra, 'A', 'B'], dir)
    expect(result.status).toBe(1)
    expectAppliesAll(result.stdout)
  })

  // git adds the enclosing function's line after `@@`; the rest must be byte for byte ours.
  it.each<[DiffAlgorithm, string[]]>([
    ['myers', []],
    ['histogram', ['--histogram']],
  ])('prints the same hunks as git diff for nearly every case (%s)', (algorithm, flags) => {
    const result = run('git', ['diff', '--no-index', '--no-color', ...flags, 'A', 'B'], root())
    const withoutFunctionContext = (hunks: string) => hunks.replace(/^(@@ -\S+ \+\S+ @@).*$/gm, '$1')
    const byName = new Map(cases.map((c) => [c.name, c]))
    const files = parsePatch(result.stdout)
    const identical = files.filter((file) => {
      const c = byName.get(basename(file.newPath ?? ''))!
      const ours = diffLines(c.a, c.b, {algorithm}).unified
      const theirs = file.patch.slice(file.patch.indexOf('\n@@') + 1)
      return ours.slice(ours.indexOf('\n@@') + 1) === withoutFunctionContext(theirs)
    })
    expect(files.length).toBe(cases.length)
    expect(identical.length / files.length).toBeGreaterThan(0.95)
  })

  it.each([[['-ru']], [['-rU0']]])('diff %j', (flags) => {
    const dir = root()
    const result = run('diff', [...flags, 'A', 'B'], dir)
    expect(result.status).toBe(1)
    expectAppliesAll(result.stdout)
  })
})

describe("git's extended headers", () => {
  it('parses renames, mode changes, creations and deletions from git diff and applies each file', () => {
    const repo = tempRepo({
      'src/old name.ts': 'export const a = 1\nexport const b = 2\nexport const c = 3\n',
      'run.sh': 'echo hi\n',
      'gone.txt': 'bye\n',
      'keep.txt': 'one\ntwo\nthree\n',
    })
    repo.git('mv', 'src/old name.ts', 'src/new name.ts')
    repo.write('src/new name.ts', 'export const a = 1\nexport const b = 20\nexport const c = 3\n')
    chmodSync(join(repo.root, 'run.sh'), 0o755)
    repo.git('rm', '-q', 'gone.txt')
    repo.write('café.md', 'new\r\nfile\r\n')
    repo.write('keep.txt', 'one\n2\nthree')
    repo.git('add', '-A')
    const patch = repo.git('-c', 'core.fileMode=true', 'diff', '--cached', '-M')

    const files = parsePatch(patch)
    const summary = files.map(({kind, oldPath, newPath, oldMode, newMode}) => ({kind, oldPath, newPath, oldMode, newMode}))
    expect(summary).toEqual([
      {kind: 'create', oldPath: null, newPath: 'café.md', oldMode: null, newMode: '100644'},
      {kind: 'delete', oldPath: 'gone.txt', newPath: null, oldMode: '100644', newMode: null},
      {kind: 'modify', oldPath: 'keep.txt', newPath: 'keep.txt', oldMode: null, newMode: null},
      {kind: 'modify', oldPath: 'run.sh', newPath: 'run.sh', oldMode: '100644', newMode: '100755'},
      {kind: 'rename', oldPath: 'src/old name.ts', newPath: 'src/new name.ts', oldMode: null, newMode: null},
    ])
    expect(files[4]!.similarity).toBeGreaterThan(50)
    const headContent = (path: string | null) => (path ? repo.git('show', `HEAD:${path}`) : '')
    for (const file of files) {
      const expected = file.newPath ? readFileSync(join(repo.root, file.newPath), 'utf8') : ''
      expect(applyPatch(headContent(file.oldPath), file.patch).text, file.newPath ?? file.oldPath ?? '').toBe(expected)
    }
  })
})
