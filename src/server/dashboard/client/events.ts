/**
 * A task's event stream, read with fetch rather than EventSource: EventSource cannot send the
 * Authorization header, and the token must not go in the URL. A dropped connection is resumed with
 * `Last-Event-ID`, so the page misses and repeats nothing.
 */
import type {FleetEvent} from '../../../fleet/schemas.js'
import {SseFrames} from '../../../fleet/sse.js'
import {authHeaders, refused} from './api.js'

export interface EventHandlers {
  event(event: FleetEvent): void
  end(status: string): void
  error(error: Error): void
}

const RETRY_MS = 1_000

/** Follows the task's events after `after` until the task ends or `signal` aborts. */
export async function followEvents(id: string, after: number, handlers: EventHandlers, signal: AbortSignal): Promise<void> {
  let last = after
  while (!signal.aborted) {
    try {
      const response = await fetch(`/tasks/${encodeURIComponent(id)}/events`, {headers: {...authHeaders(), 'last-event-id': String(last), accept: 'text/event-stream'}, signal})
      if (!response.ok || !response.body) throw await refused(response)
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
      const frames = new SseFrames()
      for (;;) {
        const {value, done} = await reader.read()
        if (done) break
        for (const frame of frames.push(value)) {
          if (frame.event === 'end') {
            handlers.end((JSON.parse(frame.data) as {status: string}).status)
            return
          }
          if (frame.data) {
            const event = JSON.parse(frame.data) as FleetEvent
            last = event.seq
            handlers.event(event)
          }
        }
      }
    } catch (error) {
      if (signal.aborted) return
      if ((error as {status?: number}).status !== undefined) {
        handlers.error(error as Error)
        return
      }
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS))
  }
}
