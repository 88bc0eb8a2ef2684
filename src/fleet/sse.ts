/** Server-Sent Events read back, as text arrives: shared by the CLI client, the dashboard and the fleet bench. */
export interface SseFrame {
  event?: string
  /** The frame's `data:` lines joined. */
  data: string
}

/** One frame: its `event:` name and its `data:` lines joined. */
function parseSseFrame(frame: string): SseFrame {
  const fields: SseFrame = {data: ''}
  for (const line of frame.split('\n')) {
    const colon = line.indexOf(':')
    const [name, value] = colon < 0 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, '')]
    if (name === 'event') fields.event = value
    if (name === 'data') fields.data += value
  }
  return fields
}

/** A stream's text cut into frames: each `push` gives the frames it completed and keeps a partial one for the next. */
export class SseFrames {
  private buffer = ''

  push(text: string): SseFrame[] {
    this.buffer += text
    const frames: SseFrame[] = []
    for (let cut = this.buffer.indexOf('\n\n'); cut >= 0; cut = this.buffer.indexOf('\n\n')) {
      frames.push(parseSseFrame(this.buffer.slice(0, cut)))
      this.buffer = this.buffer.slice(cut + 2)
    }
    return frames
  }
}
