/**
 * Command-line programs wrapped as typed tools: a definition (the program and its options, from
 * its help, as the person adding it approved them) kept in `.pyagent/tools/<name>.json`, the JSON
 * Schema the model sees, and the argv a call becomes. The model's values never become options of
 * their own: each option is `--flag=value` (or `-s value` for a short one), and the positional
 * arguments come after `--`.
 */
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import writeFileAtomic from 'write-file-atomic'
import {z} from 'zod'

import type {HelpOption} from './help-options.js'

const wrappedToolSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,48}$/),
  program: z.string().min(1),
  summary: z.string(),
  options: z.array(z.object({flag: z.string().regex(/^--?[A-Za-z0-9?][\w.-]*$/), takesValue: z.boolean(), description: z.string()})),
})
export type WrappedTool = z.infer<typeof wrappedToolSchema>

function wrappedToolsDir(root: string): string {
  return join(root, '.pyagent', 'tools')
}

/** The tool name for a program: its base name in the alphabet tool names allow. */
function wrappedName(program: string): string {
  return (program.split('/').pop() ?? program).replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 48)
}

export function proposeWrappedTool(program: string, help: string, options: readonly HelpOption[]): WrappedTool {
  const summary = help.split(/\r?\n/).find((line) => line.trim() !== '' && !/^usage:/i.test(line.trim()))?.trim() ?? ''
  return {name: wrappedName(program), program, summary: summary.slice(0, 200), options: [...options]}
}

/** The property an option becomes: its name without dashes, `-` as `_`. */
function propertyOf(flag: string): string {
  return flag.replace(/^--?/, '').replace(/[^A-Za-z0-9_]/g, '_')
}

export function argumentSchema(tool: WrappedTool): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    arguments: {type: 'array', items: {type: 'string'}, description: 'Positional arguments (passed after --)'},
  }
  for (const option of tool.options) {
    properties[propertyOf(option.flag)] = option.takesValue
      ? {type: 'string', description: `${option.flag} VALUE: ${option.description}`}
      : {type: 'boolean', description: `${option.flag}: ${option.description}`}
  }
  return {type: 'object', properties, additionalProperties: false}
}

export function argvFor(tool: WrappedTool, args: Record<string, unknown>): string[] {
  const argv = [tool.program]
  for (const option of tool.options) {
    const value = args[propertyOf(option.flag)]
    if (value === undefined || value === false) continue
    if (!option.takesValue) argv.push(option.flag)
    else if (option.flag.startsWith('--')) argv.push(`${option.flag}=${String(value)}`)
    else argv.push(option.flag, String(value))
  }
  const positional = Array.isArray(args.arguments) ? args.arguments.map(String) : []
  return positional.length === 0 ? argv : [...argv, '--', ...positional]
}

export function saveWrappedTool(root: string, tool: WrappedTool): string {
  const file = join(wrappedToolsDir(root), `${tool.name}.json`)
  mkdirSync(wrappedToolsDir(root), {recursive: true})
  writeFileAtomic.sync(file, `${JSON.stringify(tool, null, 2)}\n`, {fsync: true})
  return file
}

export function removeWrappedTool(root: string, name: string): boolean {
  const file = join(wrappedToolsDir(root), `${name}.json`)
  if (!existsSync(file)) return false
  rmSync(file)
  return true
}

/** The stored tools, and each file that is not one (with why). */
export function loadWrappedTools(root: string): {tools: WrappedTool[]; problems: string[]} {
  const dir = wrappedToolsDir(root)
  if (!existsSync(dir)) return {tools: [], problems: []}
  const tools: WrappedTool[] = []
  const problems: string[] = []
  for (const entry of readdirSync(dir).filter((name) => name.endsWith('.json')).sort()) {
    const file = join(dir, entry)
    try {
      tools.push(wrappedToolSchema.parse(JSON.parse(readFileSync(file, 'utf8'))))
    } catch (error) {
      problems.push(`${file} is not a wrapped tool: ${(error as Error).message.split('\n')[0]}`)
    }
  }
  return {tools, problems}
}
