/**
 * A tool result as text for the model. Text parts are kept as they are (the loop caps and
 * redacts every observation); images, audio and binary resources are named, not inlined: the
 * model reads text, and base64 would only fill its context.
 */
export interface CallOutcome {
  text: string
  /** The server said the call failed (`isError`): the text is its reason. */
  failed: boolean
}

interface ContentPart {
  type: string
  text?: string
  mimeType?: string
  data?: string
  uri?: string
  name?: string
  resource?: {uri?: string; mimeType?: string; text?: string; blob?: string}
}

function renderPart(part: ContentPart): string {
  switch (part.type) {
    case 'text':
      return part.text ?? ''
    case 'image':
    case 'audio':
      return `[${part.type} ${part.mimeType ?? ''}, ${Math.floor(((part.data ?? '').length * 3) / 4)} bytes, not shown]`
    case 'resource':
      return part.resource?.text ?? `[resource ${part.resource?.uri ?? ''} (${part.resource?.mimeType ?? 'binary'}), not shown]`
    case 'resource_link':
      return `[resource link ${part.name ?? ''} ${part.uri ?? ''}]`
    default:
      return `[${part.type} content, not shown]`
  }
}

export function renderResult(result: {content?: unknown; structuredContent?: unknown; isError?: unknown; toolResult?: unknown}): CallOutcome {
  const parts = Array.isArray(result.content) ? (result.content as ContentPart[]) : []
  let text = parts.map(renderPart).join('\n')
  if (!text && result.structuredContent !== undefined) text = JSON.stringify(result.structuredContent)
  // Servers of protocol version 2024-10-07 answered with `toolResult`.
  if (!text && result.toolResult !== undefined) text = JSON.stringify(result.toolResult)
  return {text: text || '(the tool returned nothing)', failed: result.isError === true}
}
