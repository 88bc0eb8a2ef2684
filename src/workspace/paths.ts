/**
 * The path guard: every path an agent names is normalised, resolved through symlinks and
 * checked against the workspace root and the deny rules before anything reads or writes it.
 */
import {lstatSync, realpathSync} from 'node:fs'
import {basename, dirname, isAbsolute, join, relative, resolve, sep} from 'node:path'
import picomatch from 'picomatch'

import {PathPolicyError} from './errors.js'


/** Directories no tool may touch, whatever the configuration says. */
export const RESERVED_DIRS = ['.git', '.pyagent'] as const

/**
 * Characters that render as nothing or reorder text: a path holding one can show a reviewer
 * a different name from the one the file system uses.
 */
const INVISIBLE_OR_CONTROL = /[\u0000-\u001f\u007f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u

export interface ResolvedPath {
  /** Workspace-relative, `/`-separated, symlinks resolved: the name the journal records. */
  relative: string
  absolute: string
}

/** The canonical form used for comparisons: compatibility-normalised (．．→ ..) and case-folded (.GIT → .git). */
function fold(component: string): string {
  return component.normalize('NFKC').toLowerCase()
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/')
}

/** The real path of `absolute`, resolving symlinks in the part that exists; the rest is appended as named. */
function realpathOfExisting(absolute: string): string {
  const missing: string[] = []
  let current = absolute
  for (;;) {
    try {
      return join(realpathSync(current), ...missing.reverse())
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      if (isDanglingSymlink(current)) {
        throw new PathPolicyError(`${absolute}: ${current} is a symlink to a missing target; refusing to follow it`)
      }
      const parent = dirname(current)
      if (parent === current) return absolute
      missing.push(basename(current))
      current = parent
    }
  }
}

function isDanglingSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink()
  } catch {
    return false
  }
}

/** gitignore's rule: a pattern without a slash matches a name at any depth; a trailing slash is dropped. */
function anchored(pattern: string): string {
  const trimmed = pattern.replace(/\/+$/, '')
  return trimmed.includes('/') ? trimmed.replace(/^\//, '') : `**/${trimmed}`
}

export class PathGuard {
  readonly root: string
  private readonly denyMatchers: ((path: string) => boolean)[]

  /** `denyPaths` are globs relative to the root (`secrets/**`, `*.pem`); a directory pattern covers what it holds. */
  constructor(root: string, readonly denyPaths: readonly string[] = []) {
    this.root = realpathSync(root)
    this.denyMatchers = denyPaths.map((pattern) => picomatch(anchored(pattern), {dot: true, nocase: true}))
  }

  /** Resolves `input` (relative to the root, or absolute) or throws a PathPolicyError saying why it is refused. */
  resolve(input: string): ResolvedPath {
    if (input.trim() === '') throw new PathPolicyError('An empty path names no file')
    if (INVISIBLE_OR_CONTROL.test(input)) {
      throw new PathPolicyError(`${JSON.stringify(input)}: the path holds control or invisible characters`)
    }
    for (const component of input.split(/[/\\]/)) {
      const folded = fold(component)
      if ((folded === '..' || folded === '.') && component !== folded) {
        throw new PathPolicyError(`${JSON.stringify(input)}: "${component}" is a look-alike of "${folded}"`)
      }
    }
    const lexical = resolve(this.root, input)
    this.assertInside(input, lexical)
    const absolute = realpathOfExisting(lexical)
    this.assertInside(input, absolute)
    const rel = toPosix(relative(this.root, absolute))
    if (rel === '') throw new PathPolicyError(`${JSON.stringify(input)} names the workspace root, not a file`)
    this.assertAllowed(input, toPosix(relative(this.root, lexical)))
    this.assertAllowed(input, rel)
    return {relative: rel, absolute}
  }

  /** Why `input` would be refused (the PathPolicyError's message), or undefined when it would not. */
  refusal(input: string): string | undefined {
    try {
      this.resolve(input)
      return undefined
    } catch (error) {
      if (error instanceof PathPolicyError) return error.message
      throw error
    }
  }

  /** Whether `input` would be accepted: for listings that skip what tools may not see. */
  allows(input: string): boolean {
    return this.refusal(input) === undefined
  }

  private assertInside(input: string, absolute: string): void {
    const rel = relative(this.root, absolute)
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new PathPolicyError(`${JSON.stringify(input)} resolves to ${absolute}, outside the workspace ${this.root}`)
    }
  }

  private assertAllowed(input: string, rel: string): void {
    const folded = rel.split('/').map(fold)
    const reserved = folded.find((component) => (RESERVED_DIRS as readonly string[]).includes(component))
    if (reserved) {
      throw new PathPolicyError(`${JSON.stringify(input)} is inside ${reserved}/, which PyAgent never edits`)
    }
    const rule = this.denyRuleFor(rel)
    if (rule !== undefined) {
      throw new PathPolicyError(
        `${JSON.stringify(input)} matches the deny rule "${rule}" (config denyPaths; if the rule is wrong, change the list with \`pyagent config set denyPaths …\`)`,
      )
    }
  }

  /** The deny rule a repository-relative path (or a folder on its way) matches, whatever exists on disk. */
  denyRuleFor(rel: string): string | undefined {
    const components = rel.split('/')
    const folded = components.map(fold)
    const candidates = components.map((_, index) => components.slice(0, index + 1).join('/'))
    const foldedCandidates = folded.map((_, index) => folded.slice(0, index + 1).join('/'))
    const index = this.denyMatchers.findIndex((matches) => [...candidates, ...foldedCandidates].some((candidate) => matches(candidate)))
    return index === -1 ? undefined : this.denyPaths[index]
  }
}

/** git's own rule (a NUL in the first 8000 bytes) plus invalid UTF-8: such a file is not edited as text. */
export function isBinary(content: Buffer): boolean {
  if (content.subarray(0, 8000).includes(0)) return true
  try {
    new TextDecoder('utf-8', {fatal: true}).decode(content)
    return false
  } catch {
    return true
  }
}
