/**
 * The agent's tools. Each is a zod schema (sent to the model as JSON Schema, and used to check
 * what the model sends back) and a function of the arguments and the run's context. Edits go to
 * the task's transaction; commands run in the scratch tree that shows the staged edits.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {z} from 'zod'

import {isAllowedCommand, splitCommand} from './commands.js'
import type {CommandRunner, ScratchPort, TextEngine, TransactionPort, WorkspacePort} from './ports.js'

export type ApprovalKind = 'edit' | 'command'

export interface ToolContext {
  taskId: string
  workspace: WorkspacePort
  tx: TransactionPort
  scratch: ScratchPort
  engine: TextEngine
  runner: CommandRunner
  /** Files earlier tasks of this run committed: code the model wrote, in the working tree now, approved by the critic but not by the user. */
  landed: ReadonlySet<string>
  allowedCommands: readonly string[]
  testCommand: string | undefined
  commandTimeoutMs: number
  /** Asks the user (or the --approve policy) whether an edit or command may go ahead. */
  approve(kind: ApprovalKind, subject: string): Promise<boolean>
  /** Reports a staged file's diff against the repository to the UI and the event log. */
  onDiff(path: string): Promise<void>
  signal: AbortSignal
}

/** An expected failure of a tool: the model reads the message and tries again. */
export class ToolError extends Error {
  override readonly name = 'ToolError'
}

/** The user (or the approval policy) said no. */
export class ToolRefused extends Error {
  override readonly name = 'ToolRefused'
}

export interface Tool<S extends z.ZodObject = z.ZodObject> {
  name: string
  description: string
  schema: S
  /** Stages edits in the transaction; read-only roles leave these out. */
  mutates: boolean
  run(args: z.infer<S>, context: ToolContext): Promise<string>
}

function defineTool<S extends z.ZodObject>(tool: Tool<S>): Tool<S> {
  return tool
}

const pathArg = z.string().min(1).describe('Path relative to the repository root')

/**
 * Refuses a path the guard refuses, before anything reads it: the model is told the rule (a deny
 * rule names itself and how to change it) as a refusal, not as a failure worth retrying.
 */
function assertMayTouch(context: ToolContext, path: string, verb: 'read' | 'write'): void {
  const refusal = context.workspace.refusal(path)
  if (refusal) throw new ToolRefused(`${refusal}; tools may not ${verb} it`)
}

async function stage(context: ToolContext, path: string, next: string | null, op: string): Promise<string> {
  assertMayTouch(context, path, 'write')
  if (!(await context.approve('edit', `${op} ${path}`))) throw new ToolRefused(`${op} ${path} was not approved`)
  let before = ''
  try {
    before = context.tx.readText(path)
  } catch (error) {
    if (op !== 'create') throw error
  }
  if (next === null) context.tx.delete(path)
  else context.tx.write(path, next)
  await context.onDiff(path)
  const {added, removed} = context.engine.diff(before, next ?? '', path)
  return `${op} ${path}: staged (+${added} -${removed}). Nothing is written until the task finishes and passes review.`
}

function exists(context: ToolContext, path: string): boolean {
  try {
    context.tx.readText(path)
    return true
  } catch {
    return false
  }
}

export const readFileTool = defineTool({
  name: 'read_file',
  description: 'Read a text file, whole or a range of lines (1-based, inclusive). Shows staged edits.',
  schema: z.object({
    path: pathArg,
    startLine: z.int().positive().optional().describe('First line to show'),
    endLine: z.int().positive().optional().describe('Last line to show'),
  }),
  mutates: false,
  async run({path, startLine, endLine}, context) {
    assertMayTouch(context, path, 'read')
    const lines = context.tx.readText(path).split('\n')
    const first = startLine ?? 1
    const last = Math.min(endLine ?? lines.length, lines.length)
    if (first > last) throw new ToolError(`${path} has ${lines.length} lines; asked for ${first}-${last}`)
    const header = startLine || endLine ? `${path} (lines ${first}-${last} of ${lines.length})\n` : ''
    return header + lines.slice(first - 1, last).join('\n')
  },
})

/** The files as the transaction sees them: the repository's (minus ignored ones) with staged creates and deletes applied. */
async function visibleFiles(context: ToolContext): Promise<string[]> {
  const files = new Set(await context.workspace.listFiles())
  for (const change of context.tx.changes()) {
    if (change.content === null) files.delete(change.path)
    else files.add(change.path)
  }
  return [...files].filter((file) => context.workspace.refusal(file) === undefined).sort()
}

export const listFilesTool = defineTool({
  name: 'list_files',
  description: 'List the repository files (honouring .gitignore), optionally under a directory.',
  schema: z.object({directory: z.string().optional().describe('Only files under this directory')}),
  mutates: false,
  async run({directory}, context) {
    const prefix = directory ? `${directory.replace(/\/+$/, '')}/` : ''
    const files = (await visibleFiles(context)).filter((file) => file.startsWith(prefix))
    return files.length === 0 ? `no files${prefix ? ` under ${prefix}` : ''}` : files.join('\n')
  },
})

function searchText(path: string, text: string, pattern: RegExp): string[] {
  const hits: string[] = []
  text.split('\n').forEach((line, index) => {
    if (pattern.test(line)) hits.push(`${path}:${index + 1}:${line}`)
  })
  return hits
}

export const searchTool = defineTool({
  name: 'search',
  description: 'Search file contents with a regular expression; prints path:line:text for each match. Sees staged edits.',
  schema: z.object({
    pattern: z.string().min(1).describe('Regular expression (Rust/JavaScript syntax)'),
    directory: z.string().optional().describe('Only search under this directory'),
  }),
  mutates: false,
  async run({pattern, directory}, context) {
    let regex: RegExp
    try {
      regex = new RegExp(pattern)
    } catch (error) {
      throw new ToolError(`invalid regular expression: ${(error as Error).message}`)
    }
    const scope = directory?.replace(/\/+$/, '')
    const refusal = scope && scope !== '.' ? context.workspace.refusal(scope) : undefined
    if (refusal) throw new ToolRefused(`${refusal}; search inside the repository instead`)
    const prefix = scope && scope !== '.' ? `${scope}/` : ''
    const staged = new Map(context.tx.changes().map((change) => [change.path, change.content]))
    const found = await context.workspace.grep(pattern, prefix || undefined)
    const hits: string[] = []
    if (found) {
      // What the guard refuses never reaches the model, whatever ripgrep found there.
      for (const {path, hit} of found) if (!staged.has(path) && context.workspace.refusal(path) === undefined) hits.push(hit)
      for (const [path, content] of staged) {
        if (content !== null && path.startsWith(prefix)) hits.push(...searchText(path, content.toString('utf8'), regex))
      }
    } else {
      for (const file of (await visibleFiles(context)).filter((path) => path.startsWith(prefix))) {
        let text: string
        try {
          text = context.tx.readText(file)
        } catch {
          continue
        }
        hits.push(...searchText(file, text, regex))
      }
    }
    return hits.length === 0 ? 'no matches' : hits.join('\n')
  },
})

export const editTool = defineTool({
  name: 'edit',
  description:
    'Edit a file by search/replace: each search must match exactly one place in the file (include enough surrounding lines).',
  schema: z.object({
    path: pathArg,
    edits: z
      .array(z.object({search: z.string().min(1).describe('Exact text to find'), replace: z.string().describe('Text to put instead')}))
      .min(1),
  }),
  mutates: true,
  async run({path, edits}, context) {
    assertMayTouch(context, path, 'write')
    const next = context.engine.applyEdits(context.tx.readText(path), edits)
    return stage(context, path, next, 'edit')
  },
})

export const applyPatchTool = defineTool({
  name: 'apply_patch',
  description: 'Apply a unified diff (as `git diff` prints it) to one file.',
  schema: z.object({path: pathArg, patch: z.string().min(1).describe('Unified diff of this one file')}),
  mutates: true,
  async run({path, patch}, context) {
    assertMayTouch(context, path, 'write')
    const next = context.engine.applyPatch(context.tx.readText(path), patch)
    return stage(context, path, next, 'patch')
  },
})

export const writeFileTool = defineTool({
  name: 'write_file',
  description: 'Create a file, or replace its whole content.',
  schema: z.object({path: pathArg, content: z.string()}),
  mutates: true,
  async run({path, content}, context) {
    return stage(context, path, content, exists(context, path) ? 'write' : 'create')
  },
})

function formatResult(argv: readonly string[], result: Awaited<ReturnType<CommandRunner['run']>>): string {
  const status = result.timedOut ? 'timed out' : `exit code ${result.exitCode}`
  return `$ ${argv.join(' ')}\n${status}\n${result.output}`
}

/**
 * Whether a command over the staged edits may run, asking once when it must. Unconfined (no
 * bubblewrap), any command there may execute code the model wrote this run (a test, a
 * package.json script, a build file; staged, or committed by an earlier sub-task) with the
 * user's rights, outside any rollback: it needs the approval a command outside the allow-list
 * needs, and the question says which files changed.
 */
async function clearToRun(argv: readonly string[], context: ToolContext, allowListed: boolean): Promise<void> {
  const command = argv.join(' ')
  const changed = context.runner.confined ? [] : [...new Set([...context.landed, ...context.tx.changes().map((change) => change.path)])]
  if (allowListed && changed.length === 0) return
  const files = changed.join(', ')
  const subject = changed.length === 0 ? command : `${command} (unconfined: no bubblewrap here; it would run code this run changed: ${files})`
  if (await context.approve('command', subject)) return
  if (changed.length === 0) throw new ToolRefused(`"${command}" is not on the allow-list and was not approved`)
  throw new ToolRefused(
    `"${command}" was not run: commands run unconfined on this machine (bubblewrap is missing or off) and it would execute code this run changed (${files}). ` +
      'Install bubblewrap (apt-get install bubblewrap) to run it confined, or allow it with --approve commands.',
  )
}

/** The directory to run a command in over the staged edits (the repository itself while none are staged), once it may run. */
export async function scratchFor(argv: readonly string[], context: ToolContext, allowListed = true): Promise<string> {
  await clearToRun(argv, context, allowListed)
  return context.scratch.prepare(context.tx.changes())
}

async function runInScratch(argv: string[], context: ToolContext, allowListed = true) {
  const cwd = await scratchFor(argv, context, allowListed)
  return context.runner.run(argv, {cwd, timeoutMs: context.commandTimeoutMs, signal: context.signal})
}

export const runCommandTool = defineTool({
  name: 'run_command',
  description:
    'Run a command (no shell: no pipes, redirections or variables) in a copy of the repository that includes the staged edits.',
  schema: z.object({command: z.string().min(1).describe('e.g. "npm test" or "git log -5 --oneline"')}),
  mutates: false,
  async run({command}, context) {
    let argv: string[]
    try {
      argv = splitCommand(command)
    } catch (error) {
      throw new ToolError((error as Error).message)
    }
    if (argv.length === 0) throw new ToolError('empty command')
    return formatResult(argv, await runInScratch(argv, context, isAllowedCommand(argv, context.allowedCommands)))
  },
})

/** The repository's test command: the configured one, else what its manifest declares. */
export function detectTestCommand(root: string): string | undefined {
  const read = (name: string) => {
    try {
      return readFileSync(join(root, name), 'utf8')
    } catch {
      return undefined
    }
  }
  const pkg = read('package.json')
  if (pkg) {
    try {
      if ((JSON.parse(pkg) as {scripts?: {test?: string}}).scripts?.test) return 'npm test'
    } catch {
      // A broken package.json declares nothing.
    }
  }
  if (read('Cargo.toml') !== undefined) return 'cargo test'
  if (read('go.mod') !== undefined) return 'go test ./...'
  if (read('pyproject.toml') !== undefined || read('pytest.ini') !== undefined || read('setup.cfg') !== undefined) return 'pytest'
  return undefined
}

export interface TestOutcome {
  command: string
  passed: boolean
  output: string
}

/** Runs the repository's tests against the staged edits; undefined when the repository declares none. */
export async function runTests(context: ToolContext): Promise<TestOutcome | undefined> {
  if (!context.testCommand) return undefined
  const argv = splitCommand(context.testCommand)
  const result = await runInScratch(argv, context)
  return {command: context.testCommand, passed: !result.timedOut && result.exitCode === 0, output: formatResult(argv, result)}
}

export const runTestsTool = defineTool({
  name: 'run_tests',
  description: "Run the repository's test command against the staged edits.",
  schema: z.object({}),
  mutates: false,
  async run(_args, context) {
    const outcome = await runTests(context)
    if (!outcome) throw new ToolError('this repository declares no test command (set testCommand in .pyagent/config.json)')
    return `${outcome.passed ? 'PASSED' : 'FAILED'}\n${outcome.output}`
  },
})

function npmLicenses(workspace: WorkspacePort): string[] {
  let manifest: {dependencies?: Record<string, string>; devDependencies?: Record<string, string>}
  try {
    manifest = JSON.parse(workspace.readManifest('package.json') ?? '')
  } catch {
    return []
  }
  const names = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})]
  return names.map((name) => {
    try {
      const installed = JSON.parse(workspace.readManifest(join('node_modules', name, 'package.json')) ?? '') as {license?: unknown}
      return `npm ${name}: ${typeof installed.license === 'string' ? installed.license : 'UNKNOWN'}`
    } catch {
      return `npm ${name}: not installed (licence unknown)`
    }
  })
}

export const dependencyLicensesTool = defineTool({
  name: 'dependency_licenses',
  description: "List the licences of the project's npm dependencies and the SPDX headers of files staged in this task.",
  schema: z.object({}),
  mutates: false,
  async run(_args, context) {
    const lines = npmLicenses(context.workspace)
    for (const change of context.tx.changes()) {
      if (change.content === null) continue
      const spdx = /SPDX-License-Identifier:\s*([^\s*]+)/.exec(change.content.toString('utf8'))
      lines.push(`file ${change.path}: ${spdx?.[1] ?? 'no SPDX header'}`)
    }
    return lines.length === 0 ? 'no dependencies or added files found' : lines.join('\n')
  },
})

export const finishTool = defineTool({
  name: 'finish',
  description: 'End the task: give a short summary of what was done (or the answer, for a question).',
  schema: z.object({summary: z.string().min(1)}),
  mutates: false,
  async run({summary}) {
    return summary
  },
})

export const ALL_TOOLS = [
  readFileTool,
  listFilesTool,
  searchTool,
  editTool,
  applyPatchTool,
  writeFileTool,
  runCommandTool,
  runTestsTool,
  dependencyLicensesTool,
  finishTool,
] as const satisfies readonly Tool<z.ZodObject>[]

export type ToolName = (typeof ALL_TOOLS)[number]['name']
