/**
 * Following a fleet task to its end across dropped connections (`pyagent logs -f`, `pyagent
 * submit --wait`): each reconnection resumes after the last event seen (Last-Event-ID), so
 * nothing is missed and nothing repeated, and a server that stays away is reported once the
 * reconnect window has passed.
 */
import {EXIT_CODES} from '../agent/run-task.js'
import type {FleetEvent, FleetStatus, FleetTask} from '../fleet/schemas.js'
import {type FleetClient, FleetUnreachableError} from './fleet-client.js'

export interface FollowOptions {
  /** Start after this event number. */
  after: number
  onEvent(event: FleetEvent): void
  signal?: AbortSignal
  /** How long to keep reconnecting to a server that does not answer (a restart) before giving up. */
  reconnectWindowMs?: number
}

const FIRST_RETRY_MS = 200
const LAST_RETRY_MS = 2_000
const RECONNECT_WINDOW_MS = 60_000

/** Follows the task until it ends; returns how it ended. */
export async function followTask(client: FleetClient, id: string, options: FollowOptions): Promise<FleetStatus> {
  let after = options.after
  let delay = FIRST_RETRY_MS
  let cutSince: number | undefined
  const window = options.reconnectWindowMs ?? RECONNECT_WINDOW_MS
  for (;;) {
    let ended: FleetStatus | undefined
    try {
      ended = await client.events(id, {
        after,
        follow: true,
        signal: options.signal,
        onEvent: (event) => {
          after = event.seq
          cutSince = undefined
          delay = FIRST_RETRY_MS
          options.onEvent(event)
        },
      })
    } catch (error) {
      if (!(error instanceof FleetUnreachableError) || options.signal?.aborted) throw error
      cutSince ??= Date.now()
      if (Date.now() - cutSince > window) throw error
    }
    if (ended !== undefined) return ended
    if (options.signal?.aborted) throw options.signal.reason
    await new Promise((resolve) => setTimeout(resolve, delay))
    delay = Math.min(delay * 2, LAST_RETRY_MS)
  }
}

/** `pyagent run`'s exit code for how a fleet task ended: its own code when it ran, 130 when it was cancelled or its workers kept dying. */
export function fleetExitCode(task: Pick<FleetTask, 'status' | 'exitCode'>): number {
  switch (task.status) {
    case 'done':
      return task.exitCode ?? EXIT_CODES.done
    case 'failed':
      return task.exitCode !== null && task.exitCode !== 0 ? task.exitCode : EXIT_CODES.failed
    case 'cancelled':
    case 'interrupted':
      return EXIT_CODES.interrupted
    default:
      throw new Error(`task status ${task.status} has not ended`)
  }
}
