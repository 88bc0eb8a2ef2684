/**
 * The clean corpus: real source files that hold no secrets, sampled from what is already on
 * this machine (packages in node_modules, Python's standard library, crates in the cargo
 * registry, Go modules). The sample is seeded, so two runs on one machine scan the same files.
 *
 * Files are copied under neutral directory names (npm/, python/, crates/, go/) because gitleaks
 * skips any path under node_modules/ or lib/python3.x/ by default; scanned where they lie, the
 * files would be invisible to one scanner and not to the others.
 */
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {copyFileSync, existsSync, mkdirSync, readdirSync, statSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, extname, join, relative, sep} from 'node:path'
import {fileURLToPath} from 'node:url'

export interface CleanSource {
  /** The directory name the sample is copied under. */
  name: string
  root: string
  extensions: readonly string[]
  /** This source's share of the sample. */
  share: number
  /** Directory names never entered. */
  skipDirectories: readonly string[]
  /**
   * Paths (relative to root, `/`-separated) left out: only the sources of secret scanners, whose
   * rules, tests and docs quote sample secrets by design, so they are not secret-free code.
   */
  excluded: readonly string[]
}

export interface CleanFile {
  /** Path relative to the corpus root, `/`-separated. */
  path: string
  language: string
}

/** Files larger than this are generated bundles or data, not the code a hook sees in a commit. */
const MAX_FILE_BYTES = 256 * 1024
export const DEFAULT_CLEAN_FILES = 3300
export const DEFAULT_SEED = 'pyagent-secrets-bench-1'

const LANGUAGES: Record<string, string> = {
  '.js': 'javascript', '.ts': 'typescript', '.json': 'json', '.md': 'markdown',
  '.py': 'python', '.rs': 'rust', '.toml': 'toml', '.go': 'go',
}

function pythonStdlib(): string {
  try {
    return execFileSync('python3', ['-c', "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], {encoding: 'utf8'}).trim()
  } catch {
    return '/usr/lib/python3.11'
  }
}

export function defaultSources(): CleanSource[] {
  const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
  return [
    {name: 'npm', root: join(repoRoot, 'node_modules'), extensions: ['.js', '.ts', '.json', '.md'], share: 1 / 3, skipDirectories: ['node_modules', '.bin'], excluded: ['@secretlint/']},
    {name: 'python', root: pythonStdlib(), extensions: ['.py'], share: 0.25, skipDirectories: ['site-packages', 'dist-packages', '__pycache__'], excluded: []},
    {name: 'crates', root: join(homedir(), '.cargo', 'registry', 'src'), extensions: ['.rs', '.toml'], share: 5 / 24, skipDirectories: ['target'], excluded: []},
    {name: 'go', root: join(homedir(), 'go', 'pkg', 'mod'), extensions: ['.go'], share: 5 / 24, skipDirectories: ['cache'], excluded: ['github.com/zricethezav/gitleaks']},
  ]
}

function listFiles(source: CleanSource): string[] {
  const found: string[] = []
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, {withFileTypes: true})) {
      const path = join(directory, entry.name)
      const relativePath = relative(source.root, path).split(sep).join('/')
      if (source.excluded.some((prefix) => relativePath.startsWith(prefix))) continue
      if (entry.isDirectory()) {
        if (!source.skipDirectories.includes(entry.name)) walk(path)
      } else if (entry.isFile() && source.extensions.includes(extname(entry.name))) {
        const size = statSync(path).size
        if (size > 0 && size <= MAX_FILE_BYTES) found.push(relativePath)
      }
    }
  }
  walk(source.root)
  return found
}

/** A seeded order that does not depend on how the file system lists directories. */
function seededSample(paths: string[], count: number, seed: string): string[] {
  const rank = (path: string) => createHash('sha256').update(`${seed}\0${path}`).digest('hex')
  return paths.map((path) => ({path, rank: rank(path)})).sort((a, b) => (a.rank < b.rank ? -1 : 1)).slice(0, count).map(({path}) => path).sort()
}

/** Copies a seeded sample of about `total` files into `root`; says which source is missing rather than sampling less quietly. */
export function buildCleanCorpus(root: string, total = DEFAULT_CLEAN_FILES, seed = DEFAULT_SEED, sources = defaultSources()): CleanFile[] {
  const files: CleanFile[] = []
  for (const source of sources) {
    if (!existsSync(source.root)) {
      throw new Error(`clean corpus source ${source.name} is missing: ${source.root} does not exist (run npm ci, install python3, cargo build native/, or go install the bench's tools)`)
    }
    const wanted = Math.round(total * source.share)
    for (const path of seededSample(listFiles(source), wanted, seed)) {
      const target = join(root, source.name, path)
      mkdirSync(dirname(target), {recursive: true})
      copyFileSync(join(source.root, path), target)
      files.push({path: `${source.name}/${path}`, language: LANGUAGES[extname(path)] ?? extname(path)})
    }
  }
  return files
}

export function countByLanguage(files: readonly CleanFile[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const file of files) counts[file.language] = (counts[file.language] ?? 0) + 1
  return counts
}
