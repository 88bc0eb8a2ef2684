/**
 * What a task's text points at: files named by their path, or by a file name that only one file
 * has and that cannot be an ordinary word (it has a dot, an underscore or a dash: `loop.ts`,
 * `repo_map`, not `run`); and every word, as a possible identifier (only words that something
 * in the repository defines, or that a path is made of, end up weighing anything). As in aider.
 */
export interface Mentions {
  files: string[]
  identifiers: string[]
}

const PUNCTUATION_AFTER = /[,.!;:?]+$/
const QUOTES = /^["'`*_]+|["'`*_]+$/g

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

export function mentionsIn(text: string, paths: readonly string[]): Mentions {
  const words = new Set(
    text
      .split(/\s+/)
      .map((word) => word.replace(PUNCTUATION_AFTER, '').replace(QUOTES, '').replaceAll('\\', '/'))
      .filter(Boolean),
  )
  const files = new Set<string>()
  const byName = new Map<string, string[]>()
  for (const path of paths) {
    if (words.has(path)) files.add(path)
    const name = basename(path)
    if (/[._-]/.test(name)) (byName.get(name) ?? byName.set(name, []).get(name)!).push(path)
  }
  for (const [name, candidates] of byName) {
    if (candidates.length === 1 && words.has(name)) files.add(candidates[0]!)
  }
  const identifiers = new Set(text.split(/[^\p{L}\p{N}_]+/u).filter(Boolean))
  return {files: [...files].sort(), identifiers: [...identifiers].sort()}
}
