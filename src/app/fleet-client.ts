/**
 * The CLI's client of a fleet server: each call one request, its answer parsed with the same
 * schemas the server validates with, its refusals turned back into PyAgent errors with the
 * server's code. The bearer token, when this user has one, is read from the user config directory.
 */
import {z} from 'zod'

import {ERROR_CODES, type ErrorCode, PyAgentError} from '../errors.js'
import {FleetTaskUnknownError} from '../fleet/errors.js'
import {
  errorBodySchema,
  type FleetEvent,
  fleetEventSchema,
  type FleetStatus,
  fleetStatusSchema,
  type FleetTask,
  type FleetTaskDetail,
  fleetTaskDetailSchema,
  fleetTaskSchema,
  type ListTasksQuery,
  type SubmitTask,
  taskIdParamsSchema,
  taskListSchema,
} from '../fleet/schemas.js'
import {SseFrames} from '../fleet/sse.js'
import {clientFleetToken, fleetTokenPath} from '../fleet/token.js'

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
    return this.call('GET', `/tasks/${taskPath(id)}`, fleetTaskDetailSchema)
  }

  cancel(id: string): Promise<FleetTask> {
    return this.call('POST', `/tasks/${taskPath(id)}/cancel`, fleetTaskSchema)
  }

  /**
   * One connection to the task's event stream, from after `after`: with `follow` until the task
   * ends, without it until the events recorded so far are sent. Returns the task's status from
   * the stream's `end`, or undefined when the connection was cut before it.
   */
  async events(id: string, options: {after: number; follow: boolean; onEvent(event: FleetEvent): void; signal?: AbortSignal}): Promise<FleetStatus | undefined> {
    const path = `/tasks/${taskPath(id)}/events${options.follow ? '' : '?follow=false'}`
    const response = await this.fetch('GET', path, undefined, {'last-event-id': String(options.after), accept: 'text/event-stream'}, options.signal)
    if (!response.ok) await this.refusal(response)
    const frames = new SseFrames()
    const decoder = new TextDecoder()
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        for (const frame of frames.push(decoder.decode(chunk, {stream: true}))) {
          if (frame.event === 'end') return endSchema.parse(JSON.parse(frame.data)).status
          if (frame.data) options.onEvent(fleetEventSchema.parse(JSON.parse(frame.data)))
        }
      }
    } catch (error) {
      // A connection reset mid-stream (the server killed, a proxy timing out) is a cut stream, for the caller to resume.
      if (options.signal?.aborted || !(error instanceof TypeError)) throw error
    }
    return undefined
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
      if (signal?.aborted) throw error
      const cause = (error as {cause?: {code?: string; message?: string}}).cause
      throw new FleetUnreachableError(this.base, cause?.code ?? cause?.message ?? (error as Error).message)
    }
  }

  private async refusal(response: Response): Promise<never> {
    const parsed = errorBodySchema.safeParse(await response.json().catch(() => undefined))
    if (!parsed.success) throw new FleetAnswerError('E_FLEET_INTERNAL', `The fleet server at ${this.base} answered ${response.status} without saying why.`)
    const {code, message} = parsed.data.error
    if (code === 'E_FLEET_UNAUTHORIZED') throw new FleetAnswerError(code, this.tokenAdvice())
    throw new FleetAnswerError(isErrorCode(code) ? code : 'E_FLEET_INTERNAL', message)
  }

  /** The server's own 401 speaks of its machine; the client can say what is wrong on this one. */
  private tokenAdvice(): string {
    const path = fleetTokenPath()
    return this.token === undefined
      ? `The fleet server at ${this.base} listens beyond loopback and needs its bearer token, and this machine has none in ${path}: copy the server's fleet-token file (from the same place on its machine) there, mode 0600.`
      : `The fleet server at ${this.base} refused the bearer token in ${path}: it is not that server's. Copy the server's fleet-token file (from the same place on its machine) over it.`
  }
}

/** A task id as the server takes it: anything else is told as an unknown task here, before it reaches a URL. */
function taskPath(id: string): string {
  if (!taskIdParamsSchema.shape.id.safeParse(id).success) throw new FleetTaskUnknownError(id)
  return id
}

const endSchema = z.object({status: fleetStatusSchema})

