/**
 * Watches each `edit` call while the server streams it, so that a search text that is not in
 * the file costs a few tokens rather than a whole answer and a failed edit. At the first
 * character of an `edits[i].search` that no place in the file (as the edit will see it) continues
 * with, the guard cuts the answer short (the request's `cutShort`) and keeps what the model is
 * told instead: which search, at which character, and the nearest match with numbered lines.
 * Calls it cannot judge are left to the edit tool, which answers them as before: a path the tool
 * may not read, arguments that are not a JSON object, a call after another one that may change
 * files, an earlier edit of the call that does not apply.
 */
import {Allow, parse} from 'partial-json'

import type {ToolCallDelta} from './ports.js'
import {type Divergence, SearchTarget} from './search-match.js'
import {editTool, type Tool, type ToolContext} from './tools/index.js'

interface Edit {
  search: string
  replace: string
}

/** What the guard needs of the run: files as the edit tool reads them, and the engine that applies edits. */
export interface EditFiles {
  /** The file's text as staged, or undefined where the edit tool may not or cannot read it. */
  read(path: string): string | undefined
  /** Applies edits in order, as the edit tool does; throws when one does not apply. */
  apply(text: string, edits: readonly Edit[]): string
}

export interface GuardVerdict {
  callId: string
  /** What the model had sent of the call, closed into valid JSON: the conversation must keep valid arguments. */
  sent: Record<string, unknown>
  /** The tool result that stands in for running the call. */
  observation: string
}

/** Lines shown before the line where the search left the file (more when the match started later), and after it. */
const LINES_BEFORE = 6
const LINES_AROUND = 2
/** How much of the search before the diverging character the observation quotes. */
const QUOTED_BEFORE = 40

type Step = string | number

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The keys and indices down to the value written last: the only string that may still be
 * incomplete. (A partial key is not in the parse yet; the value before it then counts as the
 * last one, which only makes the guard wait a little longer.)
 */
function lastWritten(value: unknown): Step[] {
  const steps: Step[] = []
  for (let node = value; ; ) {
    if (Array.isArray(node)) {
      if (node.length === 0) return steps
      steps.push(node.length - 1)
      node = node.at(-1)
    } else if (isRecord(node)) {
      const key = Object.keys(node).at(-1)
      if (key === undefined) return steps
      steps.push(key)
      node = node[key]
    } else {
      return steps
    }
  }
}

/** The arguments so far with incomplete strings, arrays and objects closed; undefined when no continuation can make them JSON. */
function readPartial(text: string): unknown {
  try {
    return parse(text, Allow.ALL)
  } catch {
    return undefined
  }
}

function guardObservation(path: string, index: number, search: string, divergence: Divergence, target: SearchTarget): string {
  const {at, character, text, nearest} = divergence
  const before = at > QUOTED_BEFORE ? `…${search.slice(at - QUOTED_BEFORE, at)}` : search.slice(0, at)
  const file = index === 0 ? path : `${path} as ${index === 1 ? 'edits[0] leaves' : `edits[0]..edits[${index - 1}] leave`} it`
  const head =
    `Stopped while you wrote this edit: edits[${index}].search is not in ${file}. ` +
    `At its character ${character}, ${JSON.stringify(text)}${at > 0 ? ` (after ${JSON.stringify(before)})` : ''}, it leaves the file: no place in it continues that way. Nothing was changed.`
  if (!nearest) return `${head}\nNot even its first character occurs in the file. Read the file (read_file) and copy the search text from it exactly.`
  const places = nearest.places > 1 ? ` (the first of ${nearest.places} places)` : ''
  const from = Math.max(nearest.firstLine, nearest.line - LINES_BEFORE) - LINES_AROUND
  return [
    `${head}`,
    `Nearest match${nearest.loose ? ', whitespace ignored' : ''}: the search up to that character matches the file from line ${nearest.firstLine}${places} and leaves it at line ${nearest.line} (marked >; line numbers are not part of the file):`,
    target.numbered(from, nearest.line + LINES_AROUND, nearest.line),
    'Copy the search text exactly from these lines, whitespace included, and call edit again.',
  ].join('\n')
}

/** One streamed edit call: its arguments read again as they grow, each search checked as it comes. */
class StreamedEdit {
  /** The length of the arguments at the last delta. */
  length = 0
  private searchMayGrow = true
  private target?: {path: string; text: SearchTarget}
  /** The leading edits found complete and applied to `target`, as the tool applies them in order. */
  private applied = 0
  private settled = false

  constructor(private readonly files: EditFiles) {}

  /** What the model is told once the arguments so far cannot apply; undefined while they still may, or cannot be judged. */
  check({argumentsText, added}: ToolCallDelta): Omit<GuardVerdict, 'callId'> | undefined {
    this.length = argumentsText.length
    // Only a search can leave the file, and only a quote can start one: a long replace is not parsed again at every delta.
    if (this.settled || (!this.searchMayGrow && !added.includes('"'))) return undefined
    const value = readPartial(argumentsText)
    if (!isRecord(value)) {
      // Nothing but whitespace yet is no verdict on the arguments.
      this.settled = argumentsText.trim() !== ''
      return undefined
    }
    const last = lastWritten(value)
    this.searchMayGrow = last.at(-1) === 'search'
    const target = this.targetOf(value, last)
    const edits = Array.isArray(value.edits) ? value.edits : []
    for (let index = this.applied; target && index < edits.length; index++) {
      const edit: unknown = edits[index]
      if (!isRecord(edit) || typeof edit.search !== 'string') return undefined
      if (!target.text.admits(edit.search)) {
        this.settled = true
        const observation = guardObservation(target.path, index, edit.search, target.text.divergence(edit.search), target.text)
        return {sent: value, observation}
      }
      const writing = last[0] === 'edits' && last[1] === index
      if (writing || typeof edit.replace !== 'string') return undefined
      try {
        target.text = new SearchTarget(this.files.apply(target.text.text, [{search: edit.search, replace: edit.replace}]))
      } catch {
        // The tool will say why this edit does not apply (twice in the file, say); the guard has nothing to add.
        this.settled = true
        return undefined
      }
      this.applied++
    }
    return undefined
  }

  /** The file once the call's path is complete and readable. */
  private targetOf(value: Record<string, unknown>, last: Step[]): {path: string; text: SearchTarget} | undefined {
    const {path} = value
    if (this.target) {
      // A second "path" key: JSON.parse keeps the last one, a file the guard has not read.
      if (path !== this.target.path) this.settled = true
      return this.settled ? undefined : this.target
    }
    if (typeof path !== 'string' || last[0] === 'path') return undefined
    const text = this.files.read(path)
    if (text === undefined) {
      this.settled = true
      return undefined
    }
    this.target = {path, text: new SearchTarget(text)}
    return this.target
  }
}

/**
 * One turn's guard: `signal` goes into the request as `cutShort`, `observe` into collectChat as
 * `onToolCallDelta`; `verdict` is set when it cut the answer short.
 */
export class EditGuard {
  private readonly cut = new AbortController()
  private readonly calls = new Map<number, StreamedEdit>()
  /** The first call that may change files: a call after it would see text the guard cannot know. */
  private firstChange = Number.POSITIVE_INFINITY
  verdict?: GuardVerdict

  constructor(
    private readonly files: EditFiles,
    private readonly changesFiles: ReadonlySet<string>,
  ) {}

  get signal(): AbortSignal {
    return this.cut.signal
  }

  readonly observe = (delta: ToolCallDelta): void => {
    if (this.verdict) return
    if (this.changesFiles.has(delta.name)) this.firstChange = Math.min(this.firstChange, delta.index)
    if (delta.name !== editTool.name || delta.index > this.firstChange) return
    let call = this.calls.get(delta.index)
    // Within an attempt each delta adds its piece; any other length is a retried attempt streaming the call anew.
    if (!call || delta.argumentsText.length !== call.length + delta.added.length) {
      call = new StreamedEdit(this.files)
      this.calls.set(delta.index, call)
    }
    const found = call.check(delta)
    if (!found) return
    this.verdict = {callId: delta.id, ...found}
    this.cut.abort()
  }
}

/** A guard over the run's transaction and engine, or undefined when the role has no edit tool. */
export function editGuardFor(context: ToolContext, tools: readonly Tool[]): EditGuard | undefined {
  if (!tools.some((tool) => tool.name === editTool.name)) return undefined
  const files: EditFiles = {
    read: (path) => {
      if (context.workspace.refusal(path)) return undefined
      try {
        return context.tx.readText(path)
      } catch {
        return undefined
      }
    },
    apply: (text, edits) => context.engine.applyEdits(text, edits),
  }
  return new EditGuard(files, new Set(tools.filter((tool) => tool.mutates).map((tool) => tool.name)))
}
