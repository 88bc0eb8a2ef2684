/**
 * A task's events as Server-Sent Events. Each event goes out with `id:` set to its number in the
 * task's log, so a client that reconnects with `Last-Event-ID` gets exactly the events after it:
 * the stream is read from the store, never from memory, and so loses and repeats nothing.
 * Without `follow` the stream ends once the events recorded so far are sent, its `end` naming
 * the status the task has then.
 */
import type {EventEmitter} from 'node:events'
import type {ServerResponse} from 'node:http'

import type {FleetStore} from '../fleet/fleet-store.js'

const ENDED = new Set(['done', 'failed', 'cancelled', 'interrupted'])

/** A safety net under the workers' notices: state that changes without one (a lapse, a cancel of a queued task) is still seen. */
const POLL_MS = 500

export function streamTaskEvents(store: FleetStore, notices: EventEmitter, id: string, from: {afterSeq: number; follow: boolean}, response: ServerResponse): void {
  response.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no'})
  let last = from.afterSeq
  let open = true
  // One read at a time: a notice that comes during a read asks for one more after it.
  let reading: Promise<void> | undefined
  let again = false
  const close = () => {
    if (!open) return
    open = false
    clearInterval(poll)
    notices.off(id, pump)
    response.end()
  }
  async function read(): Promise<void> {
    // The status first: a task that has ended has all its events in the store.
    const {status} = await store.get(id)
    for (let batch = await store.eventsAfter(id, last); open && batch.length > 0; batch = await store.eventsAfter(id, last)) {
      for (const event of batch) {
        response.write(`id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`)
        last = event.seq
      }
    }
    if (open && (ENDED.has(status) || !from.follow)) {
      response.write(`event: end\ndata: ${JSON.stringify({status})}\n\n`)
      close()
    }
  }
  function pump(): void {
    if (!open) return
    if (reading) {
      again = true
      return
    }
    reading = read()
      // A store that failed for a moment (a dropped connection) is read again at the next poll.
      .catch(() => undefined)
      .finally(() => {
        reading = undefined
        if (again) {
          again = false
          pump()
        }
      })
  }
  const poll = setInterval(pump, POLL_MS)
  notices.on(id, pump)
  response.on('close', close)
  pump()
}
