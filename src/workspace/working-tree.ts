/**
 * What the agent's read-only tools learn from the working tree outside any transaction: which
 * files the repository has, where a pattern matches (ripgrep), the manifests that name the
 * dependencies, and the test command they declare. The path guard is the caller's business: these see the tree as it is.
 */
import {execFile} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {promisify} from 'node:util'

import {gitAt} from './git.js'

const execFileAsync = promisify(execFile)

interface GrepHit {
  path: string
  /** `path:line:text`, as printed to the model. */
  hit: string
}

/** The repository's files, ignored ones left out, as git lists them; outside git, every file but .git/, .pyagent/ and node_modules/. */
async function listFiles(root: string): Promise<string[]> {
  try {
    const stdout = await gitAt(root).raw(['ls-files', '--cached', '--others', '--exclude-standard', '-z'])
    return stdout.split('\0').filter(Boolean)
  } catch {
    return walk(root, root)
  }
}

function walk(root: string, dir: string): string[] {
  const files: string[] = []
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    if (['.git', '.pyagent', 'node_modules'].includes(entry.name)) continue
    const full = join(dir, entry.name)
    if (entry.isDirectory()) files.push(...walk(root, full))
    else if (entry.isFile()) files.push(relative(root, full))
  }
  return files
}

/**
 * ripgrep's `--null` output, one `path NUL line:text LF` record per match, read record by record:
 * a file name may hold ':' or a newline (a line of text holds neither NUL nor LF), so splitting at
 * every newline would show one file's lines under another file's name.
 */
function ripgrepHits(stdout: string): GrepHit[] {
  const hits: GrepHit[] = []
  for (let start = 0; start < stdout.length; ) {
    const nul = stdout.indexOf('\0', start)
    if (nul < 0) break
    const newline = stdout.indexOf('\n', nul)
    const end = newline < 0 ? stdout.length : newline
    const path = stdout.slice(start, nul).replace(/^\.\//, '')
    hits.push({path, hit: `${path}:${stdout.slice(nul + 1, end)}`})
    start = end + 1
  }
  return hits
}

/** Matching lines by ripgrep, hidden and ignored files skipped as it does, or undefined when it is not installed. */
async function ripgrep(root: string, pattern: string, directory: string | undefined): Promise<GrepHit[] | undefined> {
  try {
    const {stdout} = await execFileAsync('rg', ['--no-config', '--null', '--line-number', '--no-heading', '--color', 'never', '-e', pattern, '--', directory ?? '.'], {
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
    })
    return ripgrepHits(stdout)
  } catch (error) {
    const code = (error as {code?: unknown}).code
    if (code === 1) return []
    return undefined
  }
}

/** A file's text as it is on disk, or undefined when it cannot be read. */
function readManifest(root: string, path: string): string | undefined {
  try {
    return readFileSync(join(root, path), 'utf8')
  } catch {
    return undefined
  }
}

/** The repository's test command as its manifest declares it: npm's `test` script, else the language's usual runner. */
export function detectTestCommand(root: string): string | undefined {
  const pkg = readManifest(root, 'package.json')
  if (pkg) {
    try {
      if ((JSON.parse(pkg) as {scripts?: {test?: string}}).scripts?.test) return 'npm test'
    } catch {
      // A broken package.json declares nothing.
    }
  }
  const has = (name: string) => readManifest(root, name) !== undefined
  if (has('Cargo.toml')) return 'cargo test'
  if (has('go.mod')) return 'go test ./...'
  if (has('pyproject.toml') || has('pytest.ini') || has('setup.cfg')) return 'pytest'
  return undefined
}

/** The three above, bound to one repository: the part of the agent's WorkspacePort they implement. */
export function workingTree(root: string) {
  return {
    listFiles: () => listFiles(root),
    grep: (pattern: string, directory: string | undefined) => ripgrep(root, pattern, directory),
    readManifest: (path: string) => readManifest(root, path),
  }
}
