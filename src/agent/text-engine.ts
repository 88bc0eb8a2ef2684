/** The agent's text engine is the native one (src/native.ts): exact search/replace, patches that fail by hunk, git-compatible diffs. */
import {applyEdits, applyPatch, diffLines} from '../native.js'
import type {TextEngine} from './ports.js'

export const nativeEngine: TextEngine = {
  applyEdits: (original, edits) => applyEdits(original, edits, {flexibleWhitespace: true}).text,
  applyPatch: (original, patch) => applyPatch(original, patch, {ignoreWhitespace: true}).text,
  diff: (before, after, path) => {
    const diff = diffLines(before, after, {aPath: before === '' ? '/dev/null' : path, bPath: path})
    return {unified: diff.unified, added: diff.added, removed: diff.removed}
  },
}
