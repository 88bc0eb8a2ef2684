/**
 * The CLI's client of a fleet server: each call one request, its answer parsed with the same
 * schemas the server validates with, its refusals turned back into PyAgent errors with the
 * server's code. The bearer token, when this user has one, is read from the user config directory.
 */
import type {z} from 'zod'

import {ERROR_CODES, type ErrorCode, PyAgentError} from '../errors.js'
import {
  errorBodySchema,
  type FleetEvent,
  fleetEventSchema,
  type FleetTask,
  type FleetTaskDetail,
  fleetTaskDetailSchema,
  fleetTaskSchema,
  type ListTasksQuery,
  type SubmitTask,
  taskListSchema,
} from '../fleet/schemas.js'
import {parseSseFrame} from '../fleet/sse.js'
import {clientFleetToken} from '../fleet/token.js'

export class FleetUnreachableError extends PyAgentError {
  override name = 'FleetUnreachableError'
  constructor(url: string, reason: string) {
    super('E_FLEET_UNREACHABLE', `No fleet server answered at ${url} (${reason}). Start one with \`pyagent serve\`, or point at it with --server or \`pyagent config set fleetUrl …\`.`)
  }
}

/** A refusal the server answered with, under the server's own code. */
export class FleetAnswerError extends PyAgentError {
  override name = 'FleetAnswerError'
}

const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_CODES, code)

export class FleetClient {
  private readonly base: string

  constructor(
    url: string,
    private readonly token: string | undefined = clientFleetToken(),
  ) {
    this.base = url.replace(/\/+$/, '')
  }

  submit(task: Partial<SubmitTask> & Pick<SubmitTask, 'repository' | 'task'>): Promise<FleetTask> {
    return this.call('POST', '/tasks', fleetTaskSchema, task)
  }

  async list(query: Partial<ListTasksQuery>): Promise<FleetTask[]> {
    const search = new URLSearchParams(Object.entries(query).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]])))
    return (await this.call('GET', `/tasks${search.size > 0 ? `?${search}` : ''}`, taskListSchema)).tasks
  }

  show(id: string): Promise<FleetTaskDetail> {
    return this.call('GET', `/tasks/${encodeURIComponent(id)}`, fleetTaskDetailSchema)
  }

  cancel(id: string): Promise<FleetTask> {
    return this.call('POST', `/tasks/${encodeURIComponent(id)}/cancel`, fleetTaskSchema)
  }

  /** Follows the task's events from after `after` until the task ends; returns how it ended. */
  async events(id: string, options: {after: number; onEvent(event: FleetEvent): void; signal?: AbortSignal}): Promise<string> {
    const response = await this.fetch('GET', `/tasks/${encodeURIComponent(id)}/events`, undefined, {'last-event-id': String(options.after), accept: 'text/event-stream'}, options.signal)
    if (!response.ok) await this.refusal(response)
    let buffer = ''
    let ended = 'unknown'
    const decoder = new TextDecoder()
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, {stream: true})
      for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
        const frame = parseSseFrame(buffer.slice(0, cut))
        buffer = buffer.slice(cut + 2)
        if (frame.event === 'end') ended = (JSON.parse(frame.data) as {status: string}).status
        else if (frame.data) options.onEvent(fleetEventSchema.parse(JSON.parse(frame.data)))
      }
    }
    return ended
  }

  private async call<T extends z.ZodType>(method: string, path: string, schema: T, body?: unknown): Promise<z.infer<T>> {
    const response = await this.fetch(method, path, body)
    if (!response.ok) await this.refusal(response)
    return schema.parse(await response.json())
  }

  private async fetch(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
    try {
      return await fetch(this.base + path, {
        method,
        signal,
        headers: {
          ...headers,
          ...(body === undefined ? {} : {'content-type': 'application/json'}),
          ...(this.token ? {authorization: `Bearer ${this.token}`} : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    } catch (error) {
      const cause = (error as {cause?: {code?: string; message?: string}}).cause
      throw new FleetUnreachableError(this.base, cause?.code ?? cause?.message ?? (error as Error).message)
    }
  }

  private async refusal(response: Response): Promise<never> {
    const parsed = errorBodySchema.safeParse(await response.json().catch(() => undefined))
    if (!parsed.success) throw new FleetAnswerError('E_FLEET_INTERNAL', `The fleet server at ${this.base} answered ${response.status} without saying why.`)
    const {code, message} = parsed.data.error
    throw new FleetAnswerError(isErrorCode(code) ? code : 'E_FLEET_INTERNAL', message)
  }
}
