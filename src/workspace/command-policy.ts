/**
 * Which commands an agent may run: an allow-list of command prefixes (`git diff`, `npm test`)
 * matched word by word, so npx's own options cannot precede the allowed program, plus argument
 * rules that close the usual escapes (git's `-c` running arbitrary programs, paths that leave
 * the workspace).
 */
import {isAbsolute, relative, resolve, sep} from 'node:path'

import {CommandPolicyError} from './errors.js'

/** Options that make an otherwise harmless command run code, write files or leave the repository. */
const DENIED_OPTIONS: Record<string, readonly string[]> = {
  git: [
    '-c',
    '--config-env',
    '--exec-path',
    '-C',
    '--git-dir',
    '--work-tree',
    '--namespace',
    '--output',
    '--ext-diff',
    '--upload-pack',
    '--receive-pack',
    '--open-files-in-pager',
    '-O',
    // A denied file's diff is printed as binary (see denyAttributes); these would print it anyway.
    '--text',
    '-a',
    '--binary',
    '--textconv',
  ],
  npm: ['--prefix', '-C', '--userconfig', '--globalconfig', '--registry', '--script-shell', '-g', '--global'],
  cargo: ['--manifest-path', '--config', '-Z'],
  go: ['-exec', '-toolexec', '-o'],
  pytest: ['-p', '--rootdir', '--confcutdir', '--basetemp'],
}

export interface CommandPolicy {
  /** Allowed command prefixes, e.g. `git diff` or `npx tsc --noEmit`. */
  allowed: readonly string[]
  /** The workspace root: arguments that name paths must stay inside it. */
  root: string
  /** The deny rule (config denyPaths) a repository-relative path matches, if any. */
  denyRuleFor?: (rel: string) => string | undefined
}

/** Splits on whitespace, honouring single and double quotes; no globbing, no variables, no pipes. */
export function splitCommand(command: string): string[] {
  const argv: string[] = []
  let current = ''
  let quote: '"' | "'" | undefined
  let pending = false
  for (const char of command.trim()) {
    if (quote) {
      if (char === quote) quote = undefined
      else current += char
    } else if (char === '"' || char === "'") {
      quote = char
      pending = true
    } else if (/\s/.test(char)) {
      if (pending || current) argv.push(current)
      current = ''
      pending = false
    } else {
      current += char
    }
  }
  if (quote) throw new Error(`unbalanced ${quote} quote in: ${command}`)
  if (pending || current) argv.push(current)
  return argv
}

/** A command is allowed when its argv starts with the argv of an allow-list entry. */
export function isAllowedCommand(argv: readonly string[], allowed: readonly string[]): boolean {
  return allowed.some((entry) => {
    const prefix = splitCommand(entry)
    return prefix.length > 0 && prefix.length <= argv.length && prefix.every((word, index) => argv[index] === word)
  })
}

function optionName(arg: string): string {
  // `--output=x` and git's stuck short form `-cfoo=bar` both name their option.
  if (arg.startsWith('--')) return arg.split('=')[0]!
  return arg.slice(0, 2)
}

/** Each short option of a cluster (`-pa` is `-p -a` to git's option parser). */
function clusteredOptions(arg: string): string[] {
  return /^-[A-Za-z]{2,}$/.test(arg) ? [...arg.slice(1)].map((letter) => `-${letter}`) : []
}

/** What an argument gives: after an option's `=` (`--output=x`), or the whole argument. */
function optionValue(arg: string): string {
  return arg.startsWith('-') && arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : arg
}

/** An argument that names a path (absolute, or walking up with `..`) must resolve inside the root. */
function assertPathInside(arg: string, cwd: string, root: string): void {
  const value = optionValue(arg)
  const looksLikePath = isAbsolute(value) || value.split(/[/\\]/).includes('..') || value.startsWith('~')
  if (!looksLikePath) return
  if (value.startsWith('~')) throw new CommandPolicyError(`Argument "${arg}" names a home-directory path; commands stay inside the workspace`)
  const rel = relative(root, resolve(cwd, value))
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new CommandPolicyError(`Argument "${arg}" points outside the workspace ${root}`)
  }
}

/** Throws a CommandPolicyError saying what is refused and what is allowed; returns normally otherwise. */
export function checkCommand(argv: readonly string[], cwd: string, policy: CommandPolicy): void {
  const [executable] = argv
  if (executable === undefined || executable === '') throw new CommandPolicyError('An empty command runs nothing')
  if (argv.some((arg) => arg.includes('\0'))) throw new CommandPolicyError('A command argument holds a NUL byte')
  if (/[/\\]/.test(executable)) {
    throw new CommandPolicyError(`"${executable}": name the program without a path; it is looked up on PATH and must be allow-listed`)
  }
  if (!isAllowedCommand(argv, policy.allowed)) {
    throw new CommandPolicyError(
      `"${argv.join(' ')}" is not allowed. Allowed commands (config allowedCommands): ${policy.allowed.join('; ')}`,
    )
  }
  const denied = DENIED_OPTIONS[executable] ?? []
  for (const arg of argv.slice(1)) {
    if (arg === '--') break
    const named = arg.startsWith('-') ? [optionName(arg), ...clusteredOptions(arg)] : []
    const refused = named.find((option) => denied.includes(option))
    if (refused) {
      throw new CommandPolicyError(`Option ${refused} is refused for ${executable}: it can run other programs, reach outside the workspace or print a denied file`)
    }
  }
  for (const arg of argv.slice(1)) assertPathInside(arg, cwd, policy.root)
  if (policy.denyRuleFor) for (const arg of argv.slice(1)) assertNotDenied(arg, cwd, policy.root, policy.denyRuleFor)
}

/**
 * The files an argument may name: itself (after an option's `=`), and what follows the colon of
 * git's `<rev>:<path>`, which git reads from the repository's root (`HEAD:.env` shows the
 * committed file whatever the working tree holds).
 */
function namedPaths(arg: string, cwd: string, root: string): string[] {
  const value = optionValue(arg)
  if (value === '' || (value.startsWith('-') && !arg.includes('='))) return []
  const paths = [relative(root, resolve(cwd, value))]
  const colon = value.indexOf(':')
  if (colon >= 0 && !value.startsWith(':(')) {
    const after = value.slice(colon + 1)
    if (after !== '') paths.push(after.startsWith('./') || after.startsWith('../') ? relative(root, resolve(cwd, after)) : after.replace(/^\/+/, ''))
  }
  return paths.map((path) => path.split(sep).join('/'))
}

/** A command's argument may not name a file the deny rules keep from the agent's tools. */
function assertNotDenied(arg: string, cwd: string, root: string, denyRuleFor: (rel: string) => string | undefined): void {
  for (const path of namedPaths(arg, cwd, root)) {
    const rule = denyRuleFor(path)
    if (rule !== undefined) {
      throw new CommandPolicyError(`Argument "${arg}" names ${path}, which the deny rule "${rule}" keeps from agents (config denyPaths)`)
    }
  }
}
