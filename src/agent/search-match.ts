/**
 * Whether the start of an edit's search text can still match a file, as the native engine
 * matches it: exactly, or else line by line with whitespace ignored (its fallback, which
 * re-indents the replacement). A start that can do neither cannot become a search that applies,
 * whatever follows; `divergence` then says where it left the file and where it came nearest.
 */

/** Unicode's White_Space, as Rust's split_whitespace splits on (JavaScript's \s differs: U+FEFF in, U+0085 out). */
const SPACE = /[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+/
const ENDS_IN_SPACE = new RegExp(`${SPACE.source}$`)

/** One line as the engine's whitespace-blind comparison sees it: its words, one space apart. */
function words(line: string): string {
  return line.split(SPACE).filter(Boolean).join(' ')
}

/** Whether a line that starts as `partial` can still end up equal to `target` when whitespace is ignored. */
function mayBecome(partial: string, target: string): boolean {
  const said = words(partial)
  if (said === '') return true
  // After whitespace the last word is finished; before it, it may still grow.
  return ENDS_IN_SPACE.test(partial) ? target === said || target.startsWith(`${said} `) : target.startsWith(said)
}

/** The last index in [0, limit] where `holds` is true, for a `holds` true at 0 that never turns true again once false. */
function lastHolding(limit: number, holds: (length: number) => boolean): number {
  let low = 0
  let high = limit
  while (low < high) {
    const middle = Math.ceil((low + high) / 2)
    if (holds(middle)) low = middle
    else high = middle - 1
  }
  return low
}

function newlines(text: string, from = 0, to = text.length): number {
  let count = 0
  for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) count++
  return count
}

/** Where the search came nearest: lines are 1-based; `line` is where it left the file. */
export interface NearestMatch {
  firstLine: number
  line: number
  /** Matched only with whitespace ignored. */
  loose: boolean
  /** How many places the matching start occurs at (1 for a loose match: the first is shown). */
  places: number
}

export interface Divergence {
  /** Index (UTF-16) in the search of the first character that no place in the file continues with. */
  at: number
  /** 1-based count of characters (code points) up to and including it. */
  character: number
  /** That character. */
  text: string
  /** Undefined when not even the first character occurs. */
  nearest?: NearestMatch
}

export class SearchTarget {
  private readonly lines: string[]
  private readonly lineWords: string[]

  constructor(readonly text: string) {
    // As the engine splits: a final newline ends the last line rather than starting an empty one.
    this.lines = text.split('\n')
    if (this.lines.at(-1) === '') this.lines.pop()
    this.lineWords = this.lines.map(words)
  }

  get lineCount(): number {
    return this.lines.length
  }

  /** Whether some search starting with `prefix` could apply. */
  admits(prefix: string): boolean {
    return this.text.includes(prefix) || this.looseStart(prefix) !== undefined
  }

  /** Where a search the file does not admit leaves it (call only when `admits(search)` is false). */
  divergence(search: string): Divergence {
    const exact = lastHolding(search.length, (length) => this.text.includes(search.slice(0, length)))
    const loose = lastHolding(search.length, (length) => this.looseStart(search.slice(0, length)) !== undefined)
    let at = Math.max(exact, loose)
    // A prefix ending in half a surrogate pair still occurs; the character that does not is the whole pair.
    if (at > 0 && /[\uD800-\uDBFF]/.test(search[at - 1]!)) at--
    const text = String.fromCodePoint(search.codePointAt(at)!)
    const character = Array.from(search.slice(0, at)).length + 1
    if (at === 0) return {at, character, text}
    const nearest = loose > exact ? this.looseNearest(search.slice(0, loose)) : this.exactNearest(search.slice(0, at))
    return {at, character, text, nearest}
  }

  /** Lines `from`..`to` (1-based, clamped), numbered, `mark` flagged with `>`. */
  numbered(from: number, to: number, mark: number): string {
    const first = Math.max(1, from)
    const last = Math.min(this.lines.length, to)
    const width = String(last).length
    const shown: string[] = []
    for (let line = first; line <= last; line++) {
      shown.push(`${line === mark ? '>' : ' '} ${String(line).padStart(width)} | ${this.lines[line - 1]}`)
    }
    return shown.join('\n')
  }

  private exactNearest(prefix: string): NearestMatch {
    const start = this.text.indexOf(prefix)
    let places = 0
    for (let at = start; at !== -1; at = this.text.indexOf(prefix, at + 1)) places++
    const firstLine = 1 + newlines(this.text, 0, start)
    return {firstLine, line: firstLine + newlines(prefix), loose: false, places}
  }

  private looseNearest(prefix: string): NearestMatch {
    const start = this.looseStart(prefix)!
    const whole = prefix.split('\n').length - 1
    return {firstLine: start + 1, line: Math.min(start + whole + 1, this.lines.length), loose: true, places: 1}
  }

  /**
   * The first line where the engine's whitespace-blind fallback could still match a search
   * starting with `prefix`: its whole lines equal the file's there, words-wise, and its
   * unfinished last line can still become the next one.
   */
  private looseStart(prefix: string): number | undefined {
    const parts = prefix.split('\n')
    const partial = parts.pop()!
    const whole = parts.map(words)
    const span = whole.length + (partial === '' ? 0 : 1)
    for (let start = 0; start + span <= this.lineWords.length; start++) {
      if (!whole.every((line, offset) => this.lineWords[start + offset] === line)) continue
      if (partial === '' || mayBecome(partial, this.lineWords[start + whole.length]!)) return start
    }
    return undefined
  }
}
