/**
 * Diffs of journaled changes through the native engine, in git's format: what `pyagent show`
 * prints, what an undo refusal shows, and the lines added and removed that `history` lists.
 */
import {diffLines} from '../native.js'
import type {FileState} from './file-state.js'
import {isBinary} from './paths.js'
import type {LineCounter} from './transaction.js'

export interface DiffSide {
  state: FileState
  content: Buffer | null
}

function gitMode(mode: number | null): string {
  return `100${(mode ?? 0o644).toString(8).padStart(3, '0')}`
}

function headerLines(path: string, before: FileState, after: FileState): string[] {
  const lines = [`diff --git a/${path} b/${path}`]
  if (before.hash === null) lines.push(`new file mode ${gitMode(after.mode)}`)
  else if (after.hash === null) lines.push(`deleted file mode ${gitMode(before.mode)}`)
  else if (before.mode !== after.mode) lines.push(`old mode ${gitMode(before.mode)}`, `new mode ${gitMode(after.mode)}`)
  return lines
}

/** One file's change: git's header, then the unified diff, or a note for binary content. */
export function fileDiff(path: string, before: DiffSide, after: DiffSide): string {
  const header = headerLines(path, before.state, after.state).join('\n')
  if (before.state.hash === after.state.hash) return before.state.mode === after.state.mode ? '' : `${header}\n`
  if ([before.content, after.content].some((content) => content !== null && isBinary(content))) {
    const from = before.content === null ? '/dev/null' : `a/${path}`
    const to = after.content === null ? '/dev/null' : `b/${path}`
    return `${header}\nBinary files ${from} and ${to} differ\n`
  }
  const {unified} = diffLines(before.content ?? '', after.content ?? '', {
    aPath: before.content === null ? '/dev/null' : path,
    bPath: after.content === null ? '/dev/null' : path,
  })
  return `${header}\n${unified}`
}

/** Lines added and removed; null for binary content, which has no lines. */
export const countChangedLines: LineCounter = (before, after) => {
  if ((before !== null && isBinary(before)) || (after !== null && isBinary(after))) return null
  const {added, removed} = diffLines(before ?? '', after ?? '')
  return {added, removed}
}
