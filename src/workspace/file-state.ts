/**
 * What a file is at one moment, as the journal records it: absent, or content (by blake3) and mode.
 * Every edit, its undo and crash recovery are expressed as "make these paths have these states".
 */
import {lstatSync, readFileSync} from 'node:fs'

import {blake3} from '../native.js'
import {EditError} from './errors.js'

export interface FileState {
  /** blake3 of the content; null when the file does not exist. */
  hash: string | null
  /** Permission bits (`mode & 0o7777`); null when the file does not exist. */
  mode: number | null
}

export const ABSENT: FileState = {hash: null, mode: null}

/** Mode of a file PyAgent creates: what an editor would make under the usual umask 022. */
export const NEW_FILE_MODE = 0o644

export interface Observed extends FileState {
  content: Buffer | null
}

/** Reads the file's current state and content; a directory or other non-file is reported as such. */
export function observe(absolute: string): Observed {
  let stat
  try {
    stat = lstatSync(absolute)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return {...ABSENT, content: null}
    }
    throw error
  }
  if (!stat.isFile()) throw new EditError(`${absolute} is not a regular file (it is a directory, symlink or device)`)
  const content = readFileSync(absolute)
  return {hash: blake3(content), mode: stat.mode & 0o7777, content}
}

export function sameState(a: FileState, b: FileState): boolean {
  return a.hash === b.hash && (a.hash === null || a.mode === b.mode)
}

export function describeState(state: FileState): string {
  return state.hash === null ? 'absent' : `${state.hash.slice(0, 12)} mode ${state.mode?.toString(8)}`
}
