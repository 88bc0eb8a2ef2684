/** Shows the run TUI on the terminal; kept apart so that ink is imported only when it is used. */
import {render} from 'ink'
import React from 'react'

import type {Feed} from './feed.js'
import {RunView} from './RunView.js'

export function mountRunView(feed: Feed): {unmount(): Promise<void>} {
  // Ctrl-C must reach the run as SIGINT (abort, roll back), not end ink.
  const instance = render(React.createElement(RunView, {feed}), {exitOnCtrlC: false})
  return {
    async unmount() {
      instance.unmount()
      await instance.waitUntilExit()
    },
  }
}
