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
  /** New content of each binary file the change adds or modifies, by path: secrets hide there too. */
  binaryAfter: Map<string, Buffer>
}

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904'

/** Unquotes a path git printed in C style (`"a\tb"`), as it does for unusual characters. */
function unquotePath(raw: string): string {
  if (!raw.startsWith('"')) return raw
  const bytes: number[] = []
  // By code point: with core.quotePath=false a name keeps its UTF-8, and an astral character is two UTF-16 units.
  const body = Array.from(raw.slice(1, -1))
  const escapes: Record<string, number> = {a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92}
  for (let index = 0; index < body.length; index++) {
    const char = body[index]!
    if (char !== '\\') {
      bytes.push(...Buffer.from(char))
      continue
    }
    const next = body[index + 1] ?? ''
    if (/[0-7]/.test(next)) {
      bytes.push(Number.parseInt(body.slice(index + 1, index + 4).join(''), 8))
      index += 3
    } else {
      bytes.push(escapes[next] ?? next.charCodeAt(0))
      index += 1
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

/**
 * The path of a `---`/`+++` header. git ends a name that holds a space with a TAB (GNU diff's
 * convention), after the closing quote when the name is quoted too; a name that really ends with
 * a TAB is quoted, so one trailing TAB is never part of it.
 */
function stripPrefix(path: string): string {
  return unquotePath(path.replace(/\t$/, '')).replace(/^[ab]\//, '')
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

/** Reads many blobs, by object id, through one `git cat-file --batch`; a missing object (or one that is not a blob) reads as undefined. */
export async function readBlobs(cwd: string, ids: string[]): Promise<(Buffer | undefined)[]> {
  if (ids.length === 0) return []
  const output = await gitBytes(cwd, ['cat-file', '--batch'], `${ids.join('\n')}\n`)
  const blobs: (Buffer | undefined)[] = []
  let offset = 0
  for (let index = 0; index < ids.length; index++) {
    const headerEnd = output.indexOf(10, offset)
    const header = /^\S+ (\S+) (\d+)$/.exec(output.subarray(offset, headerEnd).toString('utf8'))
    offset = headerEnd + 1
    if (!header) {
      blobs.push(undefined)
      continue
    }
    const size = Number(header[2])
    blobs.push(header[1] === 'blob' ? output.subarray(offset, offset + size) : undefined)
    offset += size + 1
  }
  return blobs
}

/**
 * The blob ids of each changed file before and after, by its new path. Read from `git diff --raw
 * -z`, whose names are exact (never quoted), so that no file name is ever written into a
 * `cat-file` spec: there `:0:z.txt` names z.txt's staged blob, and a newline ends the spec.
 */
async function blobIds(repoRoot: string, range: string[]): Promise<Map<string, {old?: string; new: string}>> {
  const fields = (await git(repoRoot, ['diff', '--raw', '-z', '--no-abbrev', '-M', '--diff-filter=ACMR', ...range])).split('\0')
  const ids = new Map<string, {old?: string; new: string}>()
  for (let index = 0; index + 1 < fields.length; ) {
    const [, , oldId = '', newId = '', status = ''] = fields[index]!.split(' ')
    const pathIndex = /^[RC]/.test(status) ? index + 2 : index + 1
    ids.set(fields[pathIndex]!, {...(/^0+$/.test(oldId) ? {} : {old: oldId}), new: newId})
    index = pathIndex + 1
  }
  return ids
}

/**
 * Exact names of the binary files a change touches, in diff order, from `--numstat -z` (a binary
 * file counts `-` lines): "Binary files a/x and b/y differ" cannot be split when a name holds " and ".
 */
async function binaryPaths(repoRoot: string, range: string[]): Promise<string[]> {
  const fields = (await git(repoRoot, ['diff', '--numstat', '-z', '-M', '--diff-filter=ACMR', ...range])).split('\0')
  const paths: string[] = []
  for (let index = 0; index < fields.length; index++) {
    const counts = /^(-|\d+)\t(-|\d+)\t([\s\S]*)$/.exec(fields[index]!)
    if (!counts) continue
    // A rename leaves the name empty and gives the old and the new one as the next two fields.
    const path = counts[3] === '' ? fields[index + 2] : counts[3]
    if (counts[3] === '') index += 2
    if (counts[1] === '-' && path !== undefined) paths.push(path)
  }
  return paths
}

/** A ref the person typed becomes an argument of git: one that starts with '-' would be read as an option, so it names nothing. */
async function resolveCommit(cwd: string, ref: string): Promise<string | undefined> {
  if (ref.startsWith('-') || /[\0\n]/.test(ref)) return undefined
  return gitLine(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => undefined)
}

/** Diffs name files with git's own prefixes, whatever diff.noprefix or diff.mnemonicPrefix say. */
const PREFIXES = ['--src-prefix=a/', '--dst-prefix=b/']

/** The change as a unified diff with context, for a reader (the LLM reviewer) rather than for parsing. */
export async function contextDiff(repoRoot: string, changes: ChangeSet): Promise<string> {
  const range =
    changes.target.kind === 'staged' ? ['--cached', changes.oldCommit ?? EMPTY_TREE] : [changes.oldCommit ?? EMPTY_TREE, 'HEAD']
  return git(repoRoot, ['-c', 'core.quotePath=false', 'diff', '--no-color', '--no-ext-diff', ...PREFIXES, '--unified=3', '-M', ...range])
}

export async function collectChanges(repoRoot: string, target: ReviewTarget): Promise<ChangeSet> {
  let oldCommit: string | undefined
  let range: string[]
  if (target.kind === 'staged') {
    oldCommit = await resolveCommit(repoRoot, 'HEAD')
    range = ['--cached', oldCommit ?? EMPTY_TREE]
  } else {
    const head = await gitLine(repoRoot, ['rev-parse', '--verify', 'HEAD^{commit}'])
    const base = await resolveCommit(repoRoot, target.ref)
    if (!base) throw new ReviewError(`--base ${target.ref}: no such commit or ref here; fetch it first (in CI: a checkout with fetch-depth: 0)`)
    oldCommit = await gitLine(repoRoot, ['merge-base', base, head])
    range = [oldCommit, head]
  }
  const diffArgs = ['-c', 'core.quotePath=false', 'diff', '--no-color', '--no-ext-diff', ...PREFIXES, '--unified=0', '-M', '--diff-filter=ACMR', ...range]
  const [files, ids, binaries] = await Promise.all([git(repoRoot, diffArgs).then(parseUnifiedDiff), blobIds(repoRoot, range), binaryPaths(repoRoot, range)])
  // Both diffs list files in the same order; numstat's names are exact where "Binary files … differ" is not.
  files.filter((file) => file.binary).forEach((file, index) => (file.path = binaries[index] ?? file.path))
  const idsOf = (binary: boolean) =>
    files.filter((file) => file.binary === binary).flatMap((file) => {
      const id = ids.get(file.path)
      return id ? [{path: file.path, ...id}] : []
    })
  const textIds = idsOf(false)
  const binaryIds = idsOf(true)
  const wanted = [...new Set([...textIds.flatMap((id) => (id.old ? [id.new, id.old] : [id.new])), ...binaryIds.map((id) => id.new)])]
  const blobs = await readBlobs(repoRoot, wanted)
  const contents = new Map(wanted.map((id, index) => [id, blobs[index]]))
  const text = (id: string | undefined) => (id === undefined ? undefined : contents.get(id)?.toString('utf8'))
  const before = new Map<string, string>()
  const after = new Map<string, string>()
  for (const id of textIds) {
    const newText = text(id.new)
    if (newText !== undefined) after.set(id.path, newText)
    const oldText = text(id.old)
    if (oldText !== undefined) before.set(id.path, oldText)
  }
  const binaryAfter = new Map<string, Buffer>()
  for (const id of binaryIds) {
    const content = contents.get(id.new)
    if (content !== undefined) binaryAfter.set(id.path, content)
  }
  return {target, ...(oldCommit ? {oldCommit} : {}), files, before, after, binaryAfter}
}
