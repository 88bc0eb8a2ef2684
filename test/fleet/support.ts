/** A real `pyagent serve` (the built CLI) on loopback, a scripted model behind it, and a small client for its API and event stream. */
import type {ResultPromise} from 'execa'
import {join} from 'node:path'

import {type CliProcess, startCliProcess} from '../support/cli-process.js'
import type {OpenAiTestServer, RecordedRequest, Reply} from '../support/openai-server.js'
import {tempDir} from '../support/temp-repo.js'
import {fleetEnv} from './processes.js'

export interface Served {
  url: string
  home: string
  process: ResultPromise
  /** Everything the server printed so far, stdout and stderr. */
  output(): string
  api(method: string, path: string, options?: {body?: unknown; headers?: Record<string, string>}): Promise<{status: number; body: any}>
}

export interface FleetProcess extends CliProcess {
  home: string
}

/** Starts `pyagent <args>` with a fleet's environment and waits for its first line on stdout; it is stopped (SIGTERM) when the test ends. */
export async function startFleetProcess(model: OpenAiTestServer, args: string[], options: {env?: Record<string, string>; home?: string} = {}): Promise<FleetProcess> {
  const home = options.home ?? tempDir('pyagent-fleet-home-')
  return {home, ...(await startCliProcess(args, {cwd: home, env: fleetEnv(model.baseUrl, home, options.env)}))}
}

/** `home` and `port` given again start a server on the database and the address of one that was stopped. */
export async function serve(model: OpenAiTestServer, options: {workers?: number; args?: string[]; env?: Record<string, string>; database?: string; home?: string; port?: number} = {}): Promise<Served> {
  const home = options.home ?? tempDir('pyagent-fleet-home-')
  const database = options.database ?? join(home, 'fleet.db')
  const started = await startFleetProcess(model, ['serve', '--json', '--port', String(options.port ?? 0), '--workers', String(options.workers ?? 2), '--database', database, ...(options.args ?? [])], {env: options.env, home})
  const {url} = JSON.parse(started.line) as {url: string}
  const api: Served['api'] = async (method, path, {body, headers} = {}) => {
    const response = await fetch(url + path, {
      method,
      headers: {...(body === undefined ? {} : {'content-type': 'application/json'}), ...headers},
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
    const text = await response.text()
    return {status: response.status, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text}
  }
  return {url, home, process: started.process, output: started.output, api}
}

export interface StreamedEvent {
  id: number
  seq: number
  attempt: number
  event: {type: string; [key: string]: unknown}
}

/** Reads a task's SSE stream until it ends (or `stopAfter` events), resuming after `lastEventId` when given. */
export async function readEvents(url: string, id: string, options: {lastEventId?: number; stopAfter?: number} = {}): Promise<{events: StreamedEvent[]; ended: string | undefined}> {
  const controller = new AbortController()
  const response = await fetch(`${url}/tasks/${id}/events`, {
    headers: options.lastEventId === undefined ? {} : {'last-event-id': String(options.lastEventId)},
    signal: controller.signal,
  })
  const events: StreamedEvent[] = []
  let ended: string | undefined
  let buffer = ''
  const decoder = new TextDecoder()
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, {stream: true})
      let cut: number
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, cut)
        buffer = buffer.slice(cut + 2)
        const fields = Object.fromEntries(frame.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]))
        if (fields.event === 'end') ended = (JSON.parse(fields.data!) as {status: string}).status
        else events.push({id: Number(fields.id), ...(JSON.parse(fields.data!) as Omit<StreamedEvent, 'id'>)})
        if (options.stopAfter !== undefined && events.length >= options.stopAfter) {
          controller.abort()
          return {events, ended}
        }
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error
  }
  return {events, ended}
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = await probe()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export const tool = (name: string, args: object, extra: Partial<Reply> = {}): Reply => ({type: 'completion', toolCalls: [{name, arguments: JSON.stringify(args)}], ...extra}) as Reply

export interface TaskScript {
  /** The coder's replies, one per step; the reviewer always approves. */
  steps: Reply[]
}

/**
 * Answers each request by the task it belongs to (a marker in the task text) and the step it is
 * at (the assistant messages so far), so that tasks running in parallel each follow their script.
 */
export function scriptedByTask(scripts: Record<string, TaskScript | ((attempt: number) => TaskScript)>): (request: RecordedRequest) => Reply {
  const firstSeen = new Map<string, number>()
  return (request) => {
    const body = request.body as {messages: {role: string; content: unknown}[]; tools?: unknown[]}
    const text = JSON.stringify(body.messages)
    const marker = Object.keys(scripts).find((key) => text.includes(key))
    if (!marker) return {type: 'error', status: 400, message: 'no script for this task'}
    if (!body.tools) return {type: 'completion', text: JSON.stringify({verdict: 'approve', feedback: 'good'})}
    const step = body.messages.filter((message) => message.role === 'assistant').length
    if (step === 0) firstSeen.set(marker, (firstSeen.get(marker) ?? 0) + 1)
    const entry = scripts[marker]!
    const script = typeof entry === 'function' ? entry(firstSeen.get(marker)!) : entry
    return script.steps[Math.min(step, script.steps.length - 1)]!
  }
}

export const editAdd = tool('edit', {path: 'src/add.js', edits: [{search: 'a - b', replace: 'a + b'}]})
export const editGreet = tool('edit', {path: 'src/greet.js', edits: [{search: "'hi '", replace: "'hello '"}]})
export const finish = (summary: string, extra: Partial<Reply> = {}) => tool('finish', {summary}, extra)
export const slow = (reply: Reply, delayMs: number): Reply => ({...reply, tokenDelayMs: delayMs, deltaChars: 4}) as Reply

/** The task marked `marker` makes its edit, then its model never answers again: a run caught mid-task, its edit staged. */
export function stuckAfterTheEdit(marker: string): {handler: (request: RecordedRequest) => Promise<Reply>; stuck(requests: RecordedRequest[]): boolean} {
  const afterTheEdit = (request: RecordedRequest) =>
    JSON.stringify(request.body).includes(marker) && (request.body as {messages: {role: string}[]}).messages.some((message) => message.role === 'assistant')
  const script = scriptedByTask({[marker]: {steps: [editAdd, finish('never gets here')]}})
  return {
    handler: async (request) => (afterTheEdit(request) ? new Promise<never>(() => {}) : script(request)),
    stuck: (requests) => requests.some(afterTheEdit),
  }
}
