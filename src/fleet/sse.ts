/** One Server-Sent Events frame read back: its `event:` name and its `data:` lines joined. Shared by the CLI client and the dashboard. */
export function parseSseFrame(frame: string): {event?: string; data: string} {
  const fields: {event?: string; data: string} = {data: ''}
  for (const line of frame.split('\n')) {
    const colon = line.indexOf(':')
    const [name, value] = colon < 0 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, '')]
    if (name === 'event') fields.event = value
    if (name === 'data') fields.data += value
  }
  return fields
}
