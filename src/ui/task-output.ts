/**
 * How a terminal command shows a run: the ink TUI with approval prompts on a terminal, NDJSON
 * with --json, one plain line per event otherwise. Ink is loaded only when the TUI is shown: it
 * is slow to import.
 */
import type {TaskOutput} from '../app/run.js'
import {Feed} from './feed.js'
import {plainLine} from './plain.js'

export type OutputMode = 'json' | 'tui' | 'plain'

/** `write` gets the events (stdout for `run`); `writeError` the notices (stderr). */
export async function taskOutput(mode: OutputMode, write: (text: string) => void, writeError: (text: string) => void): Promise<TaskOutput> {
  const notice = (text: string) => writeError(`${text}\n`)
  if (mode === 'json') return {event: (event) => write(`${JSON.stringify(event)}\n`), notice}
  if (mode === 'plain') {
    return {
      event: (event) => {
        const line = plainLine(event)
        if (line) write(`${line}\n`)
      },
      notice,
    }
  }
  const feed = new Feed()
  const {mountRunView} = await import('./mount.js')
  // Mounted at the first event, so that the notices said before the run (which model answers) stay above the TUI, not inside its frame.
  let view: {unmount(): Promise<void>} | undefined
  const push: typeof feed.push = (item) => {
    view ??= mountRunView(feed)
    feed.push(item)
  }
  return {
    event: push,
    ask: (kind, subject) => new Promise((resolve) => push({type: 'approval_request', request: {kind, subject, respond: resolve}})),
    notice,
    close: async () => view?.unmount(),
  }
}
