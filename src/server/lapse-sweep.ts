/**
 * The sweep that hands on the tasks of workers that stopped beating: every interval, one pass at
 * a time. The server runs it, and so does every `pyagent worker` host, so that tasks are retried
 * even while the server is down; the store makes concurrent sweeps safe.
 */
import type {FleetStore} from '../fleet/fleet-store.js'
import type {LapsedTask} from '../fleet/tasks.js'

export function startLapseSweep(store: FleetStore, options: {lapseMs: number; intervalMs: number; who: string}, onSwept: (lapsed: LapsedTask[]) => void): () => void {
  let sweeping = false
  let failing = false
  const timer = setInterval(() => {
    if (sweeping) return
    sweeping = true
    store
      .recoverLapsed(options.lapseMs)
      .then((lapsed) => {
        failing = false
        onSwept(lapsed)
      })
      .catch((error: Error) => {
        // One line per outage; the sweep goes on, and the next pass catches up.
        if (!failing) process.stderr.write(`${options.who}: ${error.message}\n`)
        failing = true
      })
      .finally(() => {
        sweeping = false
      })
  }, options.intervalMs)
  return () => clearInterval(timer)
}
