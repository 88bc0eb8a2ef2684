/**
 * Runs an agent's command: allow-listed, without a shell (execa, argv only), in a cwd inside
 * the workspace, with a scrubbed environment, a timeout that kills the whole process group,
 * and an output cap that keeps the head and the tail. Where bubblewrap works, the command runs
 * inside it with no network and the file system read-only outside the workspace.
 */
import {execa, execaSync} from 'execa'
import {existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {delimiter, dirname, join} from 'node:path'

import {checkCommand} from './command-policy.js'
import {CommandPolicyError} from './errors.js'
import {pyagentDir} from '../state/paths.js'
import {PathGuard, RESERVED_DIRS} from './paths.js'

export type SandboxMode = 'auto' | 'bwrap' | 'none'

export interface RunCommandOptions {
  root: string
  /** Workspace-relative directory to run in; default the root. */
  cwd?: string
  allowed: readonly string[]
  timeoutMs: number
  /** Bytes kept of stdout, and separately of stderr: half from the start, half from the end. */
  outputBytes: number
  sandbox: SandboxMode
  /** The environment to scrub and pass on; default process.env. */
  env?: NodeJS.ProcessEnv
  denyPaths?: readonly string[]
}

export interface CommandResult {
  argv: string[]
  cwd: string
  exitCode: number | null
  signal: string | null
  timedOut: boolean
  stdout: string
  stderr: string
  /** Bytes dropped from the middle of each stream by the output cap. */
  stdoutOmitted: number
  stderrOmitted: number
  durationMs: number
  sandboxed: boolean
  /** Why the command could not start (say, not found on PATH); null when it ran. */
  error: string | null
}

/** Names that hold credentials by convention; `PWD` and friends do not match. */
const SECRET_NAME = /(secret|token|passw|api_?key|access_?key|private|credential|auth|session|cookie|_key$|^key$)/i
/** A URL with a password in it: `https://user:pass@host`. */
const CREDENTIAL_URL = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i
const KILL_GRACE_MS = 2000

/** Keeps the first and last `limit / 2` bytes of a stream, counting what it drops in between. */
class HeadTail {
  private readonly head: Buffer[] = []
  private headBytes = 0
  private tail: Buffer = Buffer.alloc(0)
  private total = 0

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length
    const half = Math.floor(this.limit / 2)
    if (this.headBytes < half) {
      const taken = chunk.subarray(0, half - this.headBytes)
      this.head.push(taken)
      this.headBytes += taken.length
      chunk = chunk.subarray(taken.length)
    }
    if (chunk.length === 0) return
    const keep = this.limit - half
    this.tail = chunk.length >= keep ? Buffer.from(chunk.subarray(chunk.length - keep)) : Buffer.concat([this.tail, chunk]).subarray(-keep)
  }

  get omitted(): number {
    return this.total - this.headBytes - this.tail.length
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8')
    if (this.omitted === 0) return head + this.tail.toString('utf8')
    return `${head}\n[… ${this.omitted} bytes omitted by PyAgent's output cap …]\n${this.tail.toString('utf8')}`
  }
}

/** The environment minus anything that looks like a credential, by name or by value. */
export function scrubEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const scrubbed: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || SECRET_NAME.test(name) || CREDENTIAL_URL.test(value) || name.startsWith('PYAGENT_')) continue
    scrubbed[name] = value
  }
  return scrubbed
}

/**
 * Variables that point git at a repository other than the one it would find from the command's
 * directory (PyAgent run from a git hook inherits GIT_DIR, say).
 */
const GIT_LOCATION = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_NAMESPACE']

/**
 * A command's git sees only the workspace's own repository: the variables above are dropped, and
 * git may not look for a .git/ above the workspace root. A scratch copy has no .git/ of its own,
 * so from one git finds no repository at all, never the real one or one the temp directory sits in.
 */
function gitConfinement(env: Record<string, string>, root: string): Record<string, string> {
  const confined = Object.fromEntries(Object.entries(env).filter(([name]) => !GIT_LOCATION.includes(name)))
  return {...confined, GIT_CEILING_DIRECTORIES: dirname(root)}
}

/**
 * The deny rules as git attributes that unset `diff` and `textconv`, in a file under .pyagent/
 * that the command's git reads as its global attributes: `git log -p`, `git show <commit>` and
 * `git diff` then print a denied file's change as "Binary files differ" rather than its lines.
 * (Naming a denied file is refused before the command runs; the options that would print a
 * binary diff as text are refused too.) Patterns with whitespace cannot be written unquoted and
 * are left to those checks.
 */
function denyAttributes(root: string, denyPaths: readonly string[] | undefined): Record<string, string> {
  if (!denyPaths || denyPaths.length === 0 || !existsSync(join(root, '.git'))) return {}
  const lines = denyPaths
    .map((pattern) => pattern.replace(/\/+$/, ''))
    .filter((pattern) => pattern !== '' && !/[\s"]/.test(pattern) && !pattern.startsWith('!') && !pattern.startsWith('#'))
    .flatMap((pattern) => [`${pattern} -diff -textconv`, `${pattern}/** -diff -textconv`])
  const file = join(pyagentDir(root), 'deny.gitattributes')
  const text = `# Written by PyAgent from config denyPaths for the commands agents run; rewritten as needed.\n${lines.join('\n')}\n`
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
    mkdirSync(dirname(file), {recursive: true})
    const temporary = `${file}.${process.pid}.tmp`
    writeFileSync(temporary, text)
    renameSync(temporary, file)
  }
  return {GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'core.attributesFile', GIT_CONFIG_VALUE_0: file}
}

function onPath(program: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, program)
    try {
      if (statSync(candidate).isFile()) return candidate
    } catch {
      continue
    }
  }
  return undefined
}

let bwrapWorks: boolean | undefined

/** bwrap can be installed yet unusable (no user namespaces in a container): try it once. */
export function bubblewrapAvailable(): boolean {
  if (bwrapWorks === undefined) {
    bwrapWorks =
      onPath('bwrap', process.env) !== undefined &&
      execaSync('bwrap', [...bwrapArgs('/', '/'), 'true'], {reject: false, timeout: 10_000, stdin: 'ignore'}).exitCode === 0
  }
  return bwrapWorks
}

/**
 * Read-only root, private /tmp, writable workspace except .git/ and .pyagent/ (a test script
 * must not plant a git hook that runs later outside the sandbox), no network, its own PID
 * namespace, dies with us.
 */
function bwrapArgs(root: string, cwd: string): string[] {
  const reserved = RESERVED_DIRS.map((dir) => join(root, dir)).filter((dir) => existsSync(dir))
  return [
    '--ro-bind', '/', '/',
    '--dev', '/dev',
    '--proc', '/proc',
    '--tmpfs', '/tmp',
    '--bind', root, root,
    ...reserved.flatMap((dir) => ['--ro-bind', dir, dir]),
    '--unshare-net',
    '--unshare-pid',
    '--unshare-ipc',
    '--die-with-parent',
    '--new-session',
    '--chdir', cwd,
    '--',
  ]
}

function resolveCwd(guard: PathGuard, cwd: string | undefined): string {
  if (cwd === undefined || cwd === '' || cwd === '.') return guard.root
  const {absolute} = guard.resolve(cwd)
  let isDirectory = false
  try {
    isDirectory = statSync(absolute).isDirectory()
  } catch {
    isDirectory = false
  }
  if (!isDirectory) throw new CommandPolicyError(`cwd ${cwd} is not a directory inside the workspace`)
  return absolute
}

/** Whether commands will run inside bubblewrap under `mode`; commandSandbox=bwrap without a usable bubblewrap is a CommandPolicyError. */
export function useSandbox(mode: SandboxMode): boolean {
  if (mode === 'none') return false
  if (bubblewrapAvailable()) return true
  if (mode === 'bwrap') {
    throw new CommandPolicyError('commandSandbox is "bwrap" but bubblewrap is missing or unusable here; install it (apt-get install bubblewrap) or set commandSandbox to auto')
  }
  return false
}

export async function runCommand(argv: readonly string[], options: RunCommandOptions): Promise<CommandResult> {
  const guard = new PathGuard(options.root, options.denyPaths)
  const cwd = resolveCwd(guard, options.cwd)
  checkCommand(argv, cwd, {allowed: options.allowed, root: guard.root, denyRuleFor: (rel) => guard.denyRuleFor(rel)})
  const sandboxed = useSandbox(options.sandbox)
  const [file, ...args] = sandboxed ? ['bwrap', ...bwrapArgs(guard.root, cwd), ...argv] : [...argv]

  const stdout = new HeadTail(options.outputBytes)
  const stderr = new HeadTail(options.outputBytes)
  const started = performance.now()
  const child = execa(file!, args, {
    cwd,
    // npx must not fetch a package the repository lacks (`--no`); outside bwrap nothing else stops it.
    env: {
      ...gitConfinement(scrubEnvironment(options.env ?? process.env), guard.root),
      ...denyAttributes(guard.root, options.denyPaths),
      ...(argv[0] === 'npx' ? {npm_config_yes: 'false'} : {}),
    },
    extendEnv: false,
    shell: false,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    // Its own process group, so a timeout kills what the command spawned too.
    detached: true,
    cleanup: true,
  })
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk))
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk))

  let timedOut = false
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal)
    } catch {
      // The group is already gone.
    }
  }
  const timer = setTimeout(() => {
    timedOut = true
    killGroup('SIGTERM')
    setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref()
  }, options.timeoutMs)
  const result = await child
  clearTimeout(timer)

  return {
    argv: [...argv],
    cwd,
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    timedOut,
    stdout: stdout.text(),
    stderr: stderr.text(),
    stdoutOmitted: stdout.omitted,
    stderrOmitted: stderr.omitted,
    durationMs: Math.round(performance.now() - started),
    sandboxed,
    error: result.exitCode === undefined && !timedOut ? (result.shortMessage ?? 'the command could not start') : null,
  }
}
