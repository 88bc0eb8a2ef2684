/**
 * What the repository-map benches share: real code copied into fresh git repositories, aider's
 * tags turned into ours, and a ranking of definitions read as a ranking of files.
 */
import {execFileSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join, relative} from 'node:path'

import type {FileTags} from '../../src/native.js'
import type {Ranking} from '../../src/memory/rank.js'

/** The source files both maps read (aider knows no `.mts` or `.cts`). */
export const SOURCE = /\.(ts|tsx|js|mjs|cjs|py|rs|go|java|c|h|cc|cpp|hpp)$/

export interface CorpusSource {
  from: string
  to: string
  skip?: RegExp
}

function walk(dir: string, keep: (path: string) => boolean): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return walk(path, keep)
    return entry.isFile() && keep(path) ? [path] : []
  })
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: {...process.env, GIT_CONFIG_NOSYSTEM: '1'}})
}

/** A git repository holding copies of `sources` (each folder's source files, under a prefix), committed; its files. */
export function gitCorpus(dir: string, sources: readonly CorpusSource[]): string[] {
  mkdirSync(dir, {recursive: true})
  for (const {from, to, skip} of sources) {
    for (const file of walk(from, (path) => SOURCE.test(path) && !skip?.test(relative(from, path)))) {
      const target = join(dir, to, relative(from, file))
      mkdirSync(dirname(target), {recursive: true})
      cpSync(file, target)
    }
  }
  // aider keeps its tags cache inside the root; neither map should list it as a source.
  writeFileSync(join(dir, '.gitignore'), '.aider*\n')
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'add', '-A')
  git(dir, '-c', 'user.email=bench@example.com', '-c', 'user.name=bench', 'commit', '-qm', 'corpus')
  return git(dir, 'ls-files', '-z').split('\0').filter(Boolean)
}

export function stdlibDir(): string {
  return execFileSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'], {encoding: 'utf8'}).trim()
}

/** Python's standard library without its tests, IDLE and installed packages. */
export const STDLIB_SKIP = /(^|\/)(tests?|idlelib|site-packages|lib2to3\/tests|__pycache__)\//

export function crateDir(prefix: string): string {
  const registry = join(homedir(), '.cargo/registry/src')
  for (const index of readdirSync(registry)) {
    const found = readdirSync(join(registry, index)).filter((name) => name.startsWith(prefix)).sort().at(-1)
    if (found) return join(registry, index, found)
  }
  throw new Error(`no ${prefix}* crate in ${registry}; run \`cargo fetch\` in native/ first`)
}

/** aider's tags as bench/repomap/aider_*.py print them: per file, `[kind, name]` in its order. */
export type AiderTags = Record<string, ['def' | 'ref', string][]>

/** Tags encoded as the native module encodes them (what the ranking reads). */
export function encodeTags({definitions, references}: FileTags): string {
  return JSON.stringify([definitions.map(({name, line, signature}) => [name, line, signature]), references.map(({name, line}) => [name, line])])
}

/** aider's tags in our encoding (no lines or signatures: the ranking reads names only), files without tags left out. */
export function aiderTagsAsOurs(tags: AiderTags): Map<string, string> {
  const files = new Map<string, string>()
  for (const [path, found] of Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (found.length === 0) continue
    files.set(
      path,
      encodeTags({
        definitions: found.filter(([kind]) => kind === 'def').map(([, name]) => ({name, line: 0, signature: ''})),
        references: found.filter(([kind]) => kind === 'ref').map(([, name]) => ({name, line: 0})),
      }),
    )
  }
  return files
}

/** The files of a ranking, each once, in the order of their best definition. */
export function rankedFiles(ranking: Ranking): string[] {
  return [...new Set(ranking.map(({path}) => path))]
}
