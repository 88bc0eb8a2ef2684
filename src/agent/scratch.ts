/**
 * Commands and tests must see the transaction's staged edits, yet nothing may touch the
 * repository before reflection approves. So they run in a scratch copy of the working tree with
 * the staged changes written over it. Dependency and build directories are linked, not copied:
 * they are large and tests only read them. A staged file is never written through such a link
 * (staged paths come resolved through the repository's own symlinks, not through these): that
 * would change the real tree before review, outside any rollback.
 */
import {cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, dirname, join, sep} from 'node:path'

const SKIPPED = new Set(['.git', '.pyagent'])
const LINKED = new Set(['node_modules', 'target', '.venv', 'venv', '__pycache__'])
const LINKED_LIST = [...LINKED].map((name) => `${name}/`).join(', ')

export interface StagedChange {
  path: string
  content: Buffer | null
}

/** A staged change the scratch copy cannot show without writing outside itself. */
class ScratchError extends Error {
  override readonly name = 'ScratchError'
}

/** Throws unless writing `target` (or removing it) stays inside `dir`, links followed. */
function assertWritableInside(dir: string, target: string, path: string): void {
  let existing = dirname(target)
  while (!existsSync(existing)) existing = dirname(existing)
  const real = realpathSync(existing)
  const inside = realpathSync(dir)
  if (real === inside || real.startsWith(inside + sep)) return
  throw new ScratchError(
    `commands cannot run over the staged ${path}: its directory in the scratch copy links to ${real}, outside the copy (dependency and build directories are shared with the repository, not copied), so writing it there would change the real file before review. Stage edits outside ${LINKED_LIST}, or drop this one.`,
  )
}

export class ScratchTree {
  private dir?: string
  private signature = ''

  constructor(private readonly root: string) {}

  /** The directory to run in: the repository itself while nothing is staged, else an up-to-date copy. */
  prepare(changes: readonly StagedChange[]): string {
    if (changes.length === 0) return this.root
    const signature = JSON.stringify(changes.map((change) => [change.path, change.content?.toString('base64') ?? null]))
    if (this.dir && signature === this.signature) return this.dir
    this.dispose()
    const dir = mkdtempSync(join(tmpdir(), 'pyagent-scratch-'))
    cpSync(this.root, dir, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => {
        const name = basename(source)
        if (source === this.root) return true
        if (SKIPPED.has(name) && dirname(source) === this.root) return false
        if (LINKED.has(name)) {
          symlinkSync(source, join(dir, source.slice(this.root.length + 1)))
          return false
        }
        return true
      },
    })
    try {
      for (const change of changes) writeChange(dir, change)
    } catch (error) {
      rmSync(dir, {recursive: true, force: true})
      throw error
    }
    this.dir = dir
    this.signature = signature
    return dir
  }

  dispose(): void {
    if (this.dir) rmSync(this.dir, {recursive: true, force: true})
    this.dir = undefined
    this.signature = ''
  }
}

function writeChange(dir: string, change: StagedChange): void {
  const target = join(dir, change.path)
  assertWritableInside(dir, target, change.path)
  if (change.content === null) {
    rmSync(target, {force: true})
  } else {
    mkdirSync(dirname(target), {recursive: true})
    writeFileSync(target, change.content)
  }
}
