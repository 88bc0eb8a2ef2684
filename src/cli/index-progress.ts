/** Progress on stderr while a large repository is parsed (the map's tags, the code index's units). */
import type {IndexProgress} from '../memory/tag-index.js'

/** Fewer files than this parse in well under a second: no progress to show. */
const PROGRESS_FROM_FILES = 500

/** A line redrawn on a terminal, one line otherwise. `purpose`: "for the map"; `reuse`: what the next run is spared. */
export function progressReporter(purpose: string, reuse: string): {report: (progress: IndexProgress) => void; end: () => void} {
  let drawn = false
  let lastDraw = 0
  return {
    report({parsed, total}) {
      if (total < PROGRESS_FROM_FILES) return
      if (!process.stderr.isTTY) {
        if (!drawn) process.stderr.write(`Parsing ${total} files ${purpose}; ${reuse}.\n`)
        drawn = true
        return
      }
      const now = Date.now()
      if (parsed < total && now - lastDraw < 100) return
      lastDraw = now
      drawn = true
      process.stderr.write(`\rParsing files ${purpose}: ${parsed}/${total}`)
    },
    end() {
      if (drawn && process.stderr.isTTY) process.stderr.write('\r\x1b[K')
    },
  }
}
