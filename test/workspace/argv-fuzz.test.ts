/**
 * Strings that reach another program's argv (file names an agent chose, the task's text in a
 * commit message, a ref a person typed) are never read as options or pathspec magic, whatever
 * they start with or hold: leading dashes, newlines, NULs, spaces, `:(top)`, `*` (issue 14, defect 2).
 */
import {execFileSync} from 'node:child_process'
import {chmodSync, existsSync, mkdtempSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import fc from 'fast-check'
import {describe, expect, it, onTestFinished} from 'vitest'

import {workspacePort} from '../../src/app/services.js'
import {searchTool, type ToolContext, ToolError, ToolRefused} from '../../src/agent/tools/index.js'

import {configSchema} from '../../src/config/schema.js'
import {collectChanges} from '../../src/review/changes.js'
import {GitError, gitLine} from '../../src/review/git.js'
import {runReview} from '../../src/review/review.js'
import {GitArgumentError} from '../../src/workspace/errors.js'
import {autoCommit} from '../../src/workspace/git.js'
import {Workspace} from '../../src/workspace/workspace.js'
import {tempRepo} from '../support/temp-repo.js'

/** Options git would act on if they came before `--`, and other hostile shapes. */
const OPTION_LIKE = ['--amend', '--no-verify', '-n', '-rf', '--author=Mallory <m@x>', '--allow-empty', '-a', '--fixup=HEAD', '-', '--', '-m', '--output=/tmp/pyagent-pwned']

/** Names git reads as pathspecs (magic, globs) unless told to take them literally: each could pull the user's other changes into the commit. */
const PATHSPEC_LIKE = [':(top)user.txt', ':!README.md', ':(exclude)README.md', ':(glob)*', ':(icase)USER.TXT', ':(attr:x)y', '*', '*.txt', 'u?er.txt', '[u]ser.txt']

/** The user's own work, which a commit of the task's files must leave as it was. */
const USER_FILES = ['README.md', 'user.txt', 'mine.txt']

const fileName = fc.oneof(
  fc.constantFrom(...OPTION_LIKE),
  fc.constantFrom(...PATHSPEC_LIKE),
  fc.tuple(fc.constantFrom('-', '--', '--no-', ' -', '-\n'), fc.string({unit: 'grapheme-ascii', minLength: 1, maxLength: 12})).map(([head, tail]) => head + tail),
  fc.string({unit: 'grapheme', minLength: 1, maxLength: 16}),
).filter((name) => !name.includes('/') && !name.includes('\0') && name !== '.' && name !== '..' && name.trim() !== '' && !/^\.git$/i.test(name) && !USER_FILES.includes(name))

const message = fc.oneof(fc.constantFrom('--amend', '-n\n--no-verify', 'a\0b', '--'), fc.string({maxLength: 40}))

describe('argv-bound strings', () => {
  it('a file named like an option or a pathspec is committed as a file: one new commit, hooks run, no amend, the user\'s work untouched', {timeout: 120_000}, async () => {
    await fc.assert(
      fc.asyncProperty(fileName, message, async (name, title) => {
        const repo = tempRepo({'README.md': 'readme\n', 'user.txt': 'user\n'})
        const hook = join(repo.root, '.git', 'hooks', 'pre-commit')
        writeFileSync(hook, '#!/bin/sh\ntouch "$(git rev-parse --git-dir)/hook-ran"\n')
        chmodSync(hook, 0o755)
        repo.write('user.txt', 'user, work in progress\n')
        repo.write('mine.txt', 'not for any commit yet\n')
        const before = repo.git('rev-parse', 'HEAD').trim()
        writeFileSync(join(repo.root, name), 'planted\n')

        const commit = await autoCommit(repo.root, {taskId: 'task', title, transactionIds: ['tx'], paths: [name]})

        expect(commit).toBe(repo.git('rev-parse', 'HEAD').trim())
        expect(repo.git('rev-parse', 'HEAD~1').trim()).toBe(before)
        expect(repo.git('log', '--format=%an', '-1').trim()).toBe('PyAgent Test')
        expect(repo.git('show', '--name-only', '-z', '--format=', 'HEAD').split('\0').filter(Boolean)).toEqual([name])
        expect(repo.git('log', '--format=%B', '-1')).not.toContain('\0')
        expect(existsSync(join(repo.root, '.git', 'hook-ran'))).toBe(true)
        expect(existsSync('/tmp/pyagent-pwned')).toBe(false)
        // Nothing of the user's was staged or committed along the way.
        expect(repo.git('diff', '--cached', '--name-only')).toBe('')
        expect(repo.git('status', '--porcelain', '-z', '--untracked-files=all').split('\0')).toEqual(expect.arrayContaining([' M user.txt', '?? mine.txt']))
      }),
      // The names an outside review planted, tried first: --amend rewrote the user's last commit, --no-verify skipped the hook,
      // and pathspec magic committed (or staged) the user's unfinished work instead of the task's file.
      {numRuns: 30, examples: [['--amend', 'fix'], ['--no-verify', 'fix'], ['-rf', 'fix'], [':(top)user.txt', 'fix'], [':!README.md', 'fix'], ['*.txt', 'fix']]},
    )
  })

  it('a path holding a NUL (which no file name can) is refused in PyAgent\'s words, and nothing is committed', async () => {
    const repo = tempRepo({'README.md': 'readme\n'})
    const before = repo.git('rev-parse', 'HEAD').trim()
    repo.write('a', 'a\n')
    await fc.assert(
      fc.asyncProperty(fc.tuple(fileName, fileName).map(([head, tail]) => `${head}\0${tail}`), async (name) => {
        const attempt = autoCommit(repo.root, {taskId: 'task', title: 'fix', transactionIds: ['tx'], paths: ['a', name]})
        await expect(attempt).rejects.toBeInstanceOf(GitArgumentError)
        await expect(attempt).rejects.toThrow(/holds a NUL byte/)
        expect(repo.git('rev-parse', 'HEAD').trim()).toBe(before)
        expect(repo.git('diff', '--cached', '--name-only')).toBe('')
      }),
      {numRuns: 20},
    )
  })

  it('a base ref that looks like an option names no commit, and git never acts on it', {timeout: 60_000}, async () => {
    const repo = tempRepo({'a.txt': 'a\n'})
    const config = configSchema.parse({})
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom(...OPTION_LIKE), fc.string({maxLength: 10}).map((tail) => `-${tail}`)), async (ref) => {
        await expect(runReview({repoRoot: repo.root, target: {kind: 'base', ref}, config})).rejects.toThrow(/no such commit or ref here/)
        expect(existsSync('/tmp/pyagent-pwned')).toBe(false)
      }),
      {numRuns: 40},
    )
  })

  it('the review reads each staged file under its own name, whatever the name holds', {timeout: 60_000}, async () => {
    // git cat-file reads `:0:z.txt` as z.txt's staged blob and ends a spec at a newline: a file named
    // `0:z.txt` or `a\nb` must still be read as itself, not as another file or not at all.
    const names = fc.uniqueArray(fc.oneof(fileName, fc.constantFrom('0:z.txt', '1:z.txt', ':z.txt', 'a\nb', 'tab\tname', 'my file.ts', 'end ', 'q"uote', 'back\\slash')), {minLength: 1, maxLength: 5})
    await fc.assert(
      fc.asyncProperty(names, async (picked) => {
        const all = [...new Set(['z.txt', ...picked])]
        const repo = tempRepo(Object.fromEntries(all.map((name) => [name, `old ${JSON.stringify(name)}\n`])))
        // A common personal setting that changes the a/ and b/ of diff headers to i/, w/ and c/.
        repo.git('config', 'diff.mnemonicPrefix', 'true')
        for (const name of all) repo.write(name, `new ${JSON.stringify(name)}\n`)
        repo.git('add', '-A')

        const changes = await collectChanges(repo.root, {kind: 'staged'})

        expect(changes.files.map((file) => file.path).sort()).toEqual([...all].sort())
        for (const name of all) {
          expect(changes.after.get(name)).toBe(`new ${JSON.stringify(name)}\n`)
          expect(changes.before.get(name)).toBe(`old ${JSON.stringify(name)}\n`)
        }
      }),
      {numRuns: 30, examples: [[['0:z.txt']], [['a\nb']]]},
    )
  })

  it('a NUL in any argument of the review\'s git calls is a GitError naming it, not a TypeError from spawn', async () => {
    const repo = tempRepo({'a.txt': 'a\n'})
    await fc.assert(
      fc.asyncProperty(fc.tuple(fc.string({maxLength: 8}), fc.string({maxLength: 8})).map(([head, tail]) => `${head}\0${tail}`), async (ref) => {
        const attempt = gitLine(repo.root, ['rev-parse', '--verify', '--quiet', '--end-of-options', ref])
        await expect(attempt).rejects.toBeInstanceOf(GitError)
        await expect(attempt).rejects.toThrow(/holds a NUL byte/)
      }),
      {numRuns: 20},
    )
  })
})

/** Lines every file of the search repository holds: the options a pattern or a directory could smuggle into ripgrep. */
const NEEDLES = ['--files', '--pre=sh', '-e', '-u', '--', '-', 'plain needle', '--help']

/** Files the path guard allows, and files it refuses (denied, or a name holding a control character). */
const SEARCHABLE = ['notes.txt', '-e', '--pre=sh', '--files', '-u', '-sub/inner.txt', 'sub/-L.txt', 'a:b.txt']
const REFUSED = ['.env', 'key.pem', 'id_rsa\nnotes.txt', '-sub/.env']

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** A ToolContext over a real workspace: the search tool needs only the path guard and a transaction. */
async function searchContext(root: string): Promise<ToolContext> {
  const workspace = await Workspace.open(root, {denyPaths: ['.env', '*.pem']})
  onTestFinished(() => workspace.close())
  return {workspace: workspacePort(workspace), tx: workspace.begin({message: 'search'})} as unknown as ToolContext
}

/** A PATH with git and nothing else, so the search tool reads files itself. */
function pathWithoutRipgrep(): string {
  const bin = mkdtempSync(join(tmpdir(), 'pyagent-bin-'))
  symlinkSync(execFileSync('sh', ['-c', 'command -v git'], {encoding: 'utf8'}).trim(), join(bin, 'git'))
  return bin
}

describe.each([
  ['with ripgrep if installed', undefined],
  ['without ripgrep', pathWithoutRipgrep()],
])('the search tool %s', (_name, path) => {
  it('takes a pattern and a directory literally, whatever they start with or hold, and shows only what the guard allows', {timeout: 60_000}, async () => {
    const content = (name: string) => [...NEEDLES, `in ${JSON.stringify(name)}`, ''].join('\n')
    const repo = tempRepo(Object.fromEntries([...SEARCHABLE, ...REFUSED].map((name) => [name, content(name)])))
    const context = await searchContext(repo.root)
    const savedPath = process.env.PATH
    if (path) process.env.PATH = path
    onTestFinished(() => void (process.env.PATH = savedPath))
    const pattern = fc.oneof(
      fc.constantFrom(...NEEDLES, 'a\nb', 'a\0b', '-\n--files', 'needle\0'),
      fc.tuple(fc.constantFrom('-', '--', '--pre=', '-\n', '\0', ''), fc.string({unit: 'grapheme-ascii', minLength: 1, maxLength: 6})).map(([head, tail]) => escapeRegex(head + tail)),
    )
    const directory = fc.constantFrom(undefined, '.', '-sub', '-sub/', 'sub', '-u', '--pre=sh', '--files', '-L', 'x\0y')
    await fc.assert(
      fc.asyncProperty(pattern, directory, async (search, scope) => {
        const prefix = scope && scope !== '.' ? `${scope.replace(/\/+$/, '')}/` : ''
        const regex = new RegExp(search)
        const expected = SEARCHABLE.filter((name) => name.startsWith(prefix)).flatMap((name) =>
          content(name).split('\n').flatMap((line, index) => (regex.test(line) ? [`${name}:${index + 1}:${line}`] : [])),
        )
        let output: string
        try {
          output = await searchTool.run({pattern: search, directory: scope}, context)
        } catch (error) {
          // A refusal must be PyAgent's own, saying why: never a crash from spawn or ripgrep.
          expect([ToolError, ToolRefused].some((type) => error instanceof type), String(error)).toBe(true)
          return
        }
        const hits = output === 'no matches' ? [] : output.split('\n')
        expect(hits.sort()).toEqual(expected.sort())
      }),
      {numRuns: 50, examples: [['--files', undefined], ['--pre=sh', '-sub'], ['needle', '--files'], ['-e', 'x\0y']]},
    )
  })
})
