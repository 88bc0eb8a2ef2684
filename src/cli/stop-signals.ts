/**
 * Ctrl-C, a closed terminal (SIGHUP) and a supervisor's SIGTERM end a run the same way: its
 * signal aborts, the task rolls back and is marked. A second signal exits at once.
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/** The exit code of a run a signal stopped (128 + SIGINT, as shells report it). */
export const INTERRUPTED_EXIT = 130

export async function withStopSignals<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT)
    controller.abort()
  }
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal)
  try {
    return await work(controller.signal)
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal)
  }
}

/** Resolves at the first Ctrl-C or SIGTERM: what a command that serves until stopped waits for. */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
}
