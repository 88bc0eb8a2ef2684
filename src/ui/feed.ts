/** The channel from a run to its TUI: agent events and approval requests, delivered in order. */
import type {FeedItem} from './run-state.js'

export class Feed {
  private readonly listeners = new Set<(item: FeedItem) => void>()
  private readonly backlog: FeedItem[] = []

  /** Items pushed before the TUI subscribed are replayed to it, so nothing is missed at startup. */
  subscribe(listener: (item: FeedItem) => void): () => void {
    this.listeners.add(listener)
    for (const item of this.backlog) listener(item)
    return () => this.listeners.delete(listener)
  }

  push(item: FeedItem): void {
    if (this.listeners.size === 0) this.backlog.push(item)
    for (const listener of this.listeners) listener(item)
  }
}
