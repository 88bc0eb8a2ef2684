/**
 * Commands and tests must see the transaction's staged edits, yet nothing may touch the
 * repository before reflection approves. So they run in a scratch copy of the working tree with
 * the staged changes written over it. Dependency and build directories are linked, not copied:
 * they are large and tests only read them.
 */
import {cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, dirname, join} from 'node:path'

const SKIPPED = new Set(['.git', '.pyagent'])
const LINKED = new Set(['node_modules', 'target', '.venv', 'venv', '__pycache__'])

export interface StagedChange {
  path: string
  content: Buffer | null
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
    for (const change of changes) {
      const target = join(dir, change.path)
      if (change.content === null) {
        rmSync(target, {force: true})
      } else {
        mkdirSync(dirname(target), {recursive: true})
        writeFileSync(target, change.content)
      }
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
