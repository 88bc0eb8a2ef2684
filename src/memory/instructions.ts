/**
 * The repository's instructions for agents: AGENTS.md files at any depth, each speaking for its
 * directory and everything below it. Where a directory has no AGENTS.md, its CLAUDE.md or else
 * its GEMINI.md speaks for it: one file per directory, since these are usually copies of one
 * another, and two voices in one directory would leave it unclear which wins. For a file, every
 * directory from the root down to its own may speak; they apply in that order, and where they
 * disagree the nearest wins.
 */
import {readFileSync, realpathSync} from 'node:fs'
import {isAbsolute, join, posix, relative, sep} from 'node:path'

/** In the order a directory's file is chosen. */
const INSTRUCTION_FILES = ['AGENTS.md', 'CLAUDE.md', 'GEMINI.md'] as const

/** A few pages: instructions are meant to be read whole on every request. */
const MAX_INSTRUCTIONS_CHARS = 20_000

export interface InstructionFile {
  /** The directory it speaks for, relative to the root, '' for the root itself. */
  dir: string
  /** Its path, relative to the root. */
  path: string
  text: string
}

export class RepoInstructions {
  /** Each directory's file, once read; null for a directory without one. Files are read once per run. */
  private readonly byDir = new Map<string, InstructionFile | null>()

  /** The root with its symlinks resolved: a file whose real path leaves it is not the repository's to give. */
  private readonly realRoot: string

  constructor(readonly root: string) {
    this.realRoot = realpathSync(root)
  }

  /** The root's instructions: they apply to every file, so they belong in the system prompt. */
  atRoot(): InstructionFile[] {
    const file = this.fileFor('')
    return file ? [file] : []
  }

  /**
   * The instructions below the root that apply to `path` (a file, relative to the root), the
   * outermost first. Empty for a path outside the root: nothing there speaks for the repository.
   */
  below(path: string): InstructionFile[] {
    const normal = posix.normalize(path.replaceAll('\\', '/'))
    if (posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../')) return []
    const parts = posix.dirname(normal).split('/').filter((part) => part !== '.' && part !== '')
    const files: InstructionFile[] = []
    for (let depth = 1; depth <= parts.length; depth++) {
      const file = this.fileFor(parts.slice(0, depth).join('/'))
      if (file) files.push(file)
    }
    return files
  }

  private fileFor(dir: string): InstructionFile | undefined {
    let file = this.byDir.get(dir)
    if (file === undefined) {
      file = this.readFirst(dir)
      this.byDir.set(dir, file)
    }
    return file ?? undefined
  }

  private readFirst(dir: string): InstructionFile | null {
    for (const name of INSTRUCTION_FILES) {
      const path = dir === '' ? name : `${dir}/${name}`
      let text: string
      try {
        const real = realpathSync(join(this.root, path))
        const inside = relative(this.realRoot, real)
        if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) continue
        text = readFileSync(real, 'utf8')
      } catch {
        continue
      }
      return {dir, path, text: text.slice(0, MAX_INSTRUCTIONS_CHARS).trimEnd()}
    }
    return null
  }
}

/** The root's instructions as the system prompt shows them. */
export function renderRootInstructions(files: readonly InstructionFile[]): string {
  return files.map((file) => `## ${file.path}\n${file.text}`).join('\n\n')
}

/**
 * Instructions met on the way to a file, as a tool's result shows them the first time: each
 * names the directory it governs, and the nearest comes last, as the one that wins.
 */
export function renderNestedInstructions(files: readonly InstructionFile[]): string {
  const sections = files.map((file) => `## ${file.path} (for ${file.dir}/)\n${file.text}`)
  return `# Instructions from the repository for these files\nThey add to the instructions above; where they disagree, the file nearest to the files concerned wins.\n\n${sections.join('\n\n')}`
}
