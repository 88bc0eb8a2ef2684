/** Shows the run TUI on the terminal; kept apart so that ink is imported only when it is used. */
import {render} from 'ink'
import React from 'react'

import type {Feed} from './feed.js'
import {RunView} from './RunView.js'

/** How long the TUI may take to paint the result after the run ends, before it is taken down regardless. */
const FINAL_FRAME_MS = 1000

export function mountRunView(feed: Feed): {unmount(): Promise<void>} {
  // Ctrl-C must reach the run as SIGINT (abort, roll back), not end ink.
  const instance = render(React.createElement(RunView, {feed}), {exitOnCtrlC: false})
  return {
    async unmount() {
      let timer: NodeJS.Timeout | undefined
      await Promise.race([instance.waitUntilExit(), new Promise((resolve) => (timer = setTimeout(resolve, FINAL_FRAME_MS)))])
      clearTimeout(timer)
      instance.unmount()
    },
  }
}
