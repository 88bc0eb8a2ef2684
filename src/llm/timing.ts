/** Time bounds of a call: waiting no longer than a signal allows, and noticing a stalled stream. */
/** The promise's outcome, or the signal's reason as soon as it aborts. */
export function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, {once: true})
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/** Fires when no progress was reported for `ms`; progress costs one clock read, not a timer reset per chunk. */
export class StallWatch {
  private last = performance.now()
  private timer: NodeJS.Timeout

  constructor(
    private readonly ms: number,
    private readonly onStall: () => void,
  ) {
    this.timer = setTimeout(this.check, ms)
  }

  progress(): void {
    this.last = performance.now()
  }

  stop(): void {
    clearTimeout(this.timer)
  }

  private readonly check = (): void => {
    const idle = performance.now() - this.last
    if (idle >= this.ms) this.onStall()
    else this.timer = setTimeout(this.check, this.ms - idle)
  }
}
