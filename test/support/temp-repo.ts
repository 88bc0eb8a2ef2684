/** Throw-away git repositories for tests; removed when the test's cleanup runs. */
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {onTestFinished} from 'vitest'

export interface TempRepo {
  root: string
  write(path: string, content: string | Buffer): string
  git(...args: string[]): string
}

export function tempDir(prefix = 'pyagent-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  onTestFinished(() => rmSync(dir, {recursive: true, force: true}))
  return dir
}

/** A fresh repository with an identity configured and, unless `files` is empty, one initial commit. */
export function tempRepo(files: Record<string, string> = {'README.md': '# fixture\n'}): TempRepo {
  const root = tempDir('pyagent-repo-')
  const git = (...args: string[]) =>
    execFileSync('git', args, {cwd: root, encoding: 'utf8', env: {...process.env, GIT_CONFIG_NOSYSTEM: '1'}})
  const write = (path: string, content: string | Buffer) => {
    const full = join(root, path)
    mkdirSync(dirname(full), {recursive: true})
    writeFileSync(full, content)
    return full
  }
  git('init', '-q', '-b', 'main')
  git('config', 'user.email', 'test@example.com')
  git('config', 'user.name', 'PyAgent Test')
  git('config', 'commit.gpgsign', 'false')
  for (const [path, content] of Object.entries(files)) write(path, content)
  if (Object.keys(files).length > 0) {
    git('add', '-A')
    git('commit', '-q', '-m', 'initial')
  }
  return {root, write, git}
}

/** A repository whose branches `main` (checked out) and `other` change the same line of a.txt: merging or rebasing one onto the other conflicts. */
export function conflictingBranches(): TempRepo {
  const repo = tempRepo({'a.txt': 'base\n'})
  repo.git('checkout', '-q', '-b', 'other')
  repo.write('a.txt', 'other\n')
  repo.git('commit', '-qam', 'other')
  repo.git('checkout', '-q', 'main')
  repo.write('a.txt', 'main\n')
  repo.git('commit', '-qam', 'main')
  return repo
}
