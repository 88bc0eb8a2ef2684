/** Which instruction files speak for a file: nested AGENTS.md, the nearest last, CLAUDE.md and GEMINI.md where there is none. */
import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {RepoInstructions} from '../../src/memory/instructions.js'
import {tempDir} from '../support/temp-repo.js'

function repo(files: Record<string, string>): string {
  const root = tempDir()
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), {recursive: true})
    writeFileSync(join(root, path), text)
  }
  return root
}

const paths = (files: {path: string}[]) => files.map((file) => file.path)

describe('RepoInstructions', () => {
  it('gives every directory from the root down to the file its say, outermost first, so that the nearest comes last', () => {
    const root = repo({
      'AGENTS.md': 'root',
      'packages/AGENTS.md': 'packages',
      'packages/api/src/AGENTS.md': 'api src',
      'packages/api/src/routes/users.ts': '',
      'packages/web/index.ts': '',
    })
    const instructions = new RepoInstructions(root)
    expect(instructions.atRoot()).toEqual([{dir: '', path: 'AGENTS.md', text: 'root'}])
    expect(instructions.below('packages/api/src/routes/users.ts')).toEqual([
      {dir: 'packages', path: 'packages/AGENTS.md', text: 'packages'},
      {dir: 'packages/api/src', path: 'packages/api/src/AGENTS.md', text: 'api src'},
    ])
    expect(paths(instructions.below('packages/web/index.ts'))).toEqual(['packages/AGENTS.md'])
    expect(paths(instructions.below('./packages//api/src/../src/x.ts'))).toEqual(['packages/AGENTS.md', 'packages/api/src/AGENTS.md'])
    expect(instructions.below('README.md')).toEqual([])
  })

  it('reads CLAUDE.md, or else GEMINI.md, only where a directory has no AGENTS.md: one file per directory', () => {
    const root = repo({
      'CLAUDE.md': 'root claude',
      'GEMINI.md': 'root gemini',
      'a/AGENTS.md': 'a agents',
      'a/CLAUDE.md': 'a claude',
      'a/b/GEMINI.md': 'b gemini',
      'a/b/c/CLAUDE.md': 'c claude',
      'a/b/c/GEMINI.md': 'c gemini',
    })
    const instructions = new RepoInstructions(root)
    expect(paths(instructions.atRoot())).toEqual(['CLAUDE.md'])
    expect(instructions.below('a/b/c/d/file.py').map((file) => file.text)).toEqual(['a agents', 'b gemini', 'c claude'])
  })

  it('says nothing for a repository without instruction files, nor for a path outside the root', () => {
    const root = repo({'AGENTS.md': 'root', 'src/AGENTS.md': 'src'})
    const instructions = new RepoInstructions(root)
    expect(instructions.below('../src/x.ts')).toEqual([])
    expect(instructions.below('/etc/src/x.ts')).toEqual([])
    expect(new RepoInstructions(repo({'src/a.ts': ''})).atRoot()).toEqual([])
  })

  it('leaves out an instruction file whose real path leaves the repository, and a directory named like one', () => {
    const outside = repo({'secret.md': 'private notes'})
    const root = repo({'CLAUDE.md': 'root claude', 'src/x.ts': ''})
    symlinkSync(join(outside, 'secret.md'), join(root, 'AGENTS.md'))
    mkdirSync(join(root, 'src', 'AGENTS.md'))
    writeFileSync(join(root, 'src', 'GEMINI.md'), 'src gemini')
    const instructions = new RepoInstructions(root)
    expect(paths(instructions.atRoot())).toEqual(['CLAUDE.md'])
    expect(paths(instructions.below('src/x.ts'))).toEqual(['src/GEMINI.md'])
  })

  it('cuts a very long file to 20,000 characters', () => {
    const root = repo({'AGENTS.md': 'x'.repeat(30_000)})
    expect(new RepoInstructions(root).atRoot()[0]!.text).toHaveLength(20_000)
  })
})
