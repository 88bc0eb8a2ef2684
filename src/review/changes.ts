/**
 * What a review looks at: the files a change touches, the lines it adds, and both versions of
 * each file. Staged mode compares the index with HEAD (what `git commit` is about to record);
 * base mode compares HEAD with its merge base with a ref (what a pull request adds).
 */
import {ReviewError} from './errors.js'
import {git, gitBytes, gitLine} from './git.js'

export type ChangeStatus = 'added' | 'modified' | 'renamed' | 'copied'

export interface AddedLine {
  /** 1-based line number in the new version. */
  line: number
  text: string
}

export interface ChangedFile {
  path: string
  /** The path in the old version, when it differs (renames, copies). */
  oldPath?: string
  status: ChangeStatus
  binary: boolean
  addedLines: AddedLine[]
}

export type ReviewTarget = {kind: 'staged'} | {kind: 'base'; ref: string}

export interface ChangeSet {
  target: ReviewTarget
  /** The commit the change is measured against; undefined for the first commit of a repo. */
  oldCommit?: string
  files: ChangedFile[]
  /** Text of each changed file before and after, by path (new path for `after`). */
  before: Map<string, string>
  after: Map<string, string>
}

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904'

/** Unquotes a path git printed in C style (`"a\tb"`), as it does for unusual characters. */
function unquotePath(raw: string): string {
  if (!raw.startsWith('"')) return raw
  const bytes: number[] = []
  const body = raw.slice(1, -1)
  const escapes: Record<string, number> = {a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92}
  for (let index = 0; index < body.length; index++) {
    const char = body[index] ?? ''
    if (char !== '\\') {
      bytes.push(...Buffer.from(char))
      continue
    }
    const next = body[index + 1] ?? ''
    if (/[0-7]/.test(next)) {
      bytes.push(Number.parseInt(body.slice(index + 1, index + 4), 8))
      index += 3
    } else {
      bytes.push(escapes[next] ?? next.charCodeAt(0))
      index += 1
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

/**
 * The path of a `---`/`+++` header. git ends an unquoted name that holds a space with a TAB (GNU
 * diff's convention); a name that really ends with a TAB is quoted, so one trailing TAB is not
 * part of it.
 */
function stripPrefix(path: string): string {
  const unquoted = unquotePath(path.startsWith('"') ? path : path.replace(/\t$/, ''))
  return unquoted.replace(/^[ab]\//, '')
}

const HEADERS: readonly [prefix: string, apply: (file: ChangedFile, value: string) => void][] = [
  ['+++ ', (file, value) => (file.path = stripPrefix(value))],
  ['--- ', (file, value) => value !== '/dev/null' && (file.oldPath = stripPrefix(value))],
  ['new file mode', (file) => (file.status = 'added')],
  ['rename from ', (file, value) => Object.assign(file, {status: 'renamed', oldPath: unquotePath(value)})],
  ['rename to ', (file, value) => (file.path = unquotePath(value))],
  ['copy from ', (file, value) => Object.assign(file, {status: 'copied', oldPath: unquotePath(value)})],
  ['copy to ', (file, value) => (file.path = unquotePath(value))],
  [
    'Binary files ',
    (file, value) => {
      file.binary = true
      const newPath = / and (.+) differ$/.exec(value)?.[1]
      if (!file.path && newPath) file.path = stripPrefix(newPath)
    },
  ],
]

/** Parses `git diff --unified=0` output into the files it touches and the lines each adds. */
export function parseUnifiedDiff(diff: string): ChangedFile[] {
  const files: ChangedFile[] = []
  let current: ChangedFile | undefined
  let nextLine = 0
  let inHunk = false
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) {
      current = {path: '', status: 'modified', binary: false, addedLines: []}
      files.push(current)
      inHunk = false
    } else if (!current) {
      continue
    } else if (line.startsWith('@@')) {
      nextLine = Number(/^@@ -\d+(?:,\d+)? \+(\d+)/.exec(line)?.[1] ?? 0)
      inHunk = true
    } else if (inHunk) {
      if (line.startsWith('+')) current.addedLines.push({line: nextLine++, text: line.slice(1)})
    } else {
      const header = HEADERS.find(([prefix]) => line.startsWith(prefix))
      header?.[1](current, line.slice(header[0].length))
    }
  }
  for (const file of files) {
    if (file.oldPath === file.path) delete file.oldPath
  }
  return files.filter((file) => file.path !== '')
}

/** Reads many blobs through one `git cat-file --batch`; a missing object reads as undefined. */
async function readBlobs(cwd: string, specs: string[]): Promise<(string | undefined)[]> {
  if (specs.length === 0) return []
  const output = await gitBytes(cwd, ['cat-file', '--batch'], `${specs.join('\n')}\n`)
  const blobs: (string | undefined)[] = []
  let offset = 0
  for (let index = 0; index < specs.length; index++) {
    const headerEnd = output.indexOf(10, offset)
    const header = output.subarray(offset, headerEnd).toString('utf8')
    offset = headerEnd + 1
    const size = /^\S+ blob (\d+)$/.exec(header)?.[1]
    if (size === undefined) {
      blobs.push(undefined)
      continue
    }
    blobs.push(output.subarray(offset, offset + Number(size)).toString('utf8'))
    offset += Number(size) + 1
  }
  return blobs
}

/** A ref the person typed becomes an argument of git: one that starts with '-' would be read as an option, so it names nothing. */
async function resolveCommit(cwd: string, ref: string): Promise<string | undefined> {
  if (ref.startsWith('-') || /[\0\n]/.test(ref)) return undefined
  return gitLine(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => undefined)
}

/** The change as a unified diff with context, for a reader (the LLM reviewer) rather than for parsing. */
export async function contextDiff(repoRoot: string, changes: ChangeSet): Promise<string> {
  const range =
    changes.target.kind === 'staged' ? ['--cached', changes.oldCommit ?? EMPTY_TREE] : [changes.oldCommit ?? EMPTY_TREE, 'HEAD']
  return git(repoRoot, ['-c', 'core.quotePath=false', 'diff', '--no-color', '--no-ext-diff', '--unified=3', '-M', ...range])
}

export async function collectChanges(repoRoot: string, target: ReviewTarget): Promise<ChangeSet> {
  const diffArgs = ['-c', 'core.quotePath=false', 'diff', '--no-color', '--no-ext-diff', '--unified=0', '-M', '--diff-filter=ACMR']
  let oldCommit: string | undefined
  let newSpec: (path: string) => string
  if (target.kind === 'staged') {
    oldCommit = await resolveCommit(repoRoot, 'HEAD')
    diffArgs.push('--cached', oldCommit ?? EMPTY_TREE)
    newSpec = (path) => `:${path}`
  } else {
    const head = await gitLine(repoRoot, ['rev-parse', '--verify', 'HEAD^{commit}'])
    const base = await resolveCommit(repoRoot, target.ref)
    if (!base) throw new ReviewError(`--base ${target.ref}: no such commit or ref here; fetch it first (in CI: a checkout with fetch-depth: 0)`)
    oldCommit = await gitLine(repoRoot, ['merge-base', base, head])
    diffArgs.push(oldCommit, head)
    newSpec = (path) => `${head}:${path}`
  }
  const files = parseUnifiedDiff(await git(repoRoot, diffArgs))
  const textFiles = files.filter((file) => !file.binary)
  const oldSpecs = oldCommit ? textFiles.map((file) => `${oldCommit}:${file.oldPath ?? file.path}`) : []
  const blobs = await readBlobs(repoRoot, [...textFiles.map((file) => newSpec(file.path)), ...oldSpecs])
  const before = new Map<string, string>()
  const after = new Map<string, string>()
  textFiles.forEach((file, index) => {
    const newText = blobs[index]
    if (newText !== undefined) after.set(file.path, newText)
    const oldText = oldCommit ? blobs[textFiles.length + index] : undefined
    if (oldText !== undefined) before.set(file.path, oldText)
  })
  return {target, ...(oldCommit ? {oldCommit} : {}), files, before, after}
}
