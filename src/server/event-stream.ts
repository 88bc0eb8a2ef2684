/**
 * A task's events as Server-Sent Events. Each event goes out with `id:` set to its number in the
 * task's log, so a client that reconnects with `Last-Event-ID` gets exactly the events after it:
 * the stream is read from the store, never from memory, and so loses and repeats nothing.
 * Without `follow` the stream ends once the events recorded so far are sent, its `end` naming
 * the status the task has then.
 */
import type {EventEmitter} from 'node:events'
import type {ServerResponse} from 'node:http'

import type {FleetDb} from '../fleet/store.js'
import {eventsAfter, getTask} from '../fleet/tasks.js'

const ENDED = new Set(['done', 'failed', 'cancelled', 'interrupted'])

/** A safety net under the workers' notices: state that changes without one (a lapse, a cancel of a queued task) is still seen. */
const POLL_MS = 500

export function streamTaskEvents(db: FleetDb, notices: EventEmitter, id: string, from: {afterSeq: number; follow: boolean}, response: ServerResponse): void {
  response.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no'})
  let last = from.afterSeq
  let open = true
  const close = () => {
    if (!open) return
    open = false
    clearInterval(poll)
    notices.off(id, pump)
    response.end()
  }
  function pump(): void {
    if (!open) return
    // The status first: a task that has ended has all its events in the store.
    const {status} = getTask(db, id)
    for (let batch = eventsAfter(db, id, last); batch.length > 0; batch = eventsAfter(db, id, last)) {
      for (const event of batch) {
        response.write(`id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`)
        last = event.seq
      }
    }
    if (ENDED.has(status) || !from.follow) {
      response.write(`event: end\ndata: ${JSON.stringify({status})}\n\n`)
      close()
    }
  }
  const poll = setInterval(pump, POLL_MS)
  notices.on(id, pump)
  response.on('close', close)
  pump()
}
