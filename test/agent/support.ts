/**
 * Stand-ins for the agent's ports while the real LLM client, workspace and native engine are
 * on their own branches: a scripted model, a transaction over the real file system, jsdiff as
 * the text engine, execa as the command runner.
 */
import {applyPatch, createTwoFilesPatch, diffLines} from 'diff'
import {execa} from 'execa'
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {randomUUID} from 'node:crypto'

import type {ChatEvent, ChatRequest, CommandRunner, ModelClient, TextEngine, TransactionPort, WorkspacePort} from '../../src/agent/ports.js'

export interface ScriptedReply {
  text?: string
  toolCalls?: {name: string; arguments: string}[]
  /** Milliseconds before each streamed piece. */
  delayMs?: number
  promptTokens?: number
  completionTokens?: number
  costUsd?: number
}

export type Script = ScriptedReply | ((request: ChatRequest) => ScriptedReply)

export class ScriptedModel implements ModelClient {
  readonly requests: ChatRequest[] = []
  private readonly queue: Script[]

  constructor(replies: Script[], private readonly fallback?: (request: ChatRequest) => ScriptedReply) {
    this.queue = [...replies]
  }

  enqueue(...replies: Script[]): void {
    this.queue.push(...replies)
  }

  /** Records the request and picks the scripted reply; a script function may throw to fail the call. */
  next(request: ChatRequest): ScriptedReply {
    this.requests.push(structuredClone({...request, signal: undefined, responseSchema: undefined}) as ChatRequest)
    const next = this.queue.shift() ?? this.fallback
    if (!next) throw new Error('scripted model: no reply left')
    return typeof next === 'function' ? next(request) : next
  }

  async *chat(request: ChatRequest): AsyncGenerator<ChatEvent> {
    const reply = this.next(request)
    const pause = () =>
      new Promise<void>((resolveDelay, reject) => {
        if (request.signal?.aborted) return reject(Object.assign(new Error('cancelled'), {kind: 'cancelled'}))
        const timer = setTimeout(resolveDelay, reply.delayMs ?? 0)
        request.signal?.addEventListener('abort', () => {
          clearTimeout(timer)
          reject(Object.assign(new Error('cancelled'), {kind: 'cancelled'}))
        })
      })
    for (const piece of (reply.text ?? '').match(/\s*\S+|\s+/g) ?? []) {
      if (reply.delayMs) await pause()
      yield {type: 'text', delta: piece}
    }
    for (const [index, call] of (reply.toolCalls ?? []).entries()) {
      let parsed: {ok: true; value: Record<string, unknown>} | {ok: false; error: string}
      try {
        parsed = {ok: true, value: JSON.parse(call.arguments)}
      } catch (error) {
        parsed = {ok: false, error: (error as Error).message}
      }
      yield {type: 'tool_call', call: {id: `call-${this.requests.length}-${index}`, name: call.name, argumentsText: call.arguments, arguments: parsed}}
    }
    if (request.responseSchema) yield {type: 'structured', value: request.responseSchema.parse(JSON.parse(reply.text ?? ''))}
    const promptTokens = reply.promptTokens ?? 10
    const completionTokens = reply.completionTokens ?? 5
    yield {type: 'usage', usage: {promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, costUsd: reply.costUsd}}
    yield {type: 'finish', reason: reply.toolCalls?.length ? 'tool_calls' : 'stop', model: 'scripted'}
  }
}

/** A tool call reply in the native protocol. */
export function call(name: string, args: Record<string, unknown>): ScriptedReply {
  return {toolCalls: [{name, arguments: JSON.stringify(args)}]}
}

/** The same action in the JSON-actions protocol. */
export function action(tool: string, args: Record<string, unknown>): ScriptedReply {
  return {text: JSON.stringify({tool, arguments: args})}
}

export function verdict(value: 'approve' | 'revise' | 'reject', feedback = 'looks right'): ScriptedReply {
  return {text: JSON.stringify({verdict: value, feedback})}
}

class FsTransaction implements TransactionPort {
  readonly id = randomUUID()
  private open = true
  private readonly staged = new Map<string, Buffer | null>()
  private readonly readHashes = new Map<string, string | null>()

  constructor(private readonly root: string) {}

  get isOpen() {
    return this.open
  }

  private disk(path: string): string | null {
    const full = join(this.root, path)
    return existsSync(full) ? readFileSync(full, 'utf8') : null
  }

  readText(path: string): string {
    if (this.staged.has(path)) {
      const content = this.staged.get(path)
      if (content === null || content === undefined) throw new Error(`${path} is deleted in this transaction`)
      return content.toString('utf8')
    }
    const text = this.disk(path)
    if (text === null) throw new Error(`${path} does not exist`)
    if (!this.readHashes.has(path)) this.readHashes.set(path, text)
    return text
  }

  write(path: string, content: string): void {
    if (!this.readHashes.has(path)) this.readHashes.set(path, this.disk(path))
    this.staged.set(path, Buffer.from(content))
  }

  delete(path: string): void {
    this.staged.set(path, null)
  }

  changes() {
    return [...this.staged].filter(([path, content]) => (content?.toString('utf8') ?? null) !== this.disk(path)).map(([path, content]) => ({path, op: content === null ? 'delete' : 'write', content}))
  }

  rollback(): void {
    this.open = false
    this.staged.clear()
  }

  async commit() {
    for (const [path, before] of this.readHashes) {
      if (this.staged.has(path) && this.disk(path) !== before) {
        this.rollback()
        throw Object.assign(new Error(`${path} changed since it was read`), {name: 'CollisionError'})
      }
    }
    const files = this.changes()
    for (const {path, content} of files) {
      const full = join(this.root, path)
      if (content === null) rmSync(full, {force: true})
      else {
        mkdirSync(dirname(full), {recursive: true})
        writeFileSync(full, content)
      }
    }
    this.open = false
    return {id: this.id, files: files.map(({path, op}) => ({path, op}))}
  }
}

export function fsWorkspace(root: string): WorkspacePort {
  return {
    root,
    begin: () => new FsTransaction(root),
    allows: (path) => {
      const rel = relative(root, resolve(root, path))
      return !rel.startsWith('..') && !rel.startsWith('.git') && !rel.startsWith('.pyagent')
    },
  }
}

export const jsdiffEngine: TextEngine = {
  applyEdits(original, edits) {
    let text = original
    for (const edit of edits) {
      const count = text.split(edit.search).length - 1
      if (count !== 1) throw new Error(`search text found ${count} times`)
      text = text.replace(edit.search, () => edit.replace)
    }
    return text
  },
  applyPatch(original, patch) {
    const result = applyPatch(original, patch)
    if (result === false) throw new Error('patch does not apply')
    return result
  },
  diff(before, after, path) {
    const changes = diffLines(before, after)
    const count = (kind: 'added' | 'removed') => changes.filter((change) => change[kind]).reduce((sum, change) => sum + (change.count ?? 0), 0)
    return {unified: before === after ? '' : createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after), added: count('added'), removed: count('removed')}
  },
}

export const execaRunner: CommandRunner = {
  async run(argv, options) {
    const result = await execa(argv[0]!, argv.slice(1), {cwd: options.cwd, timeout: options.timeoutMs, cancelSignal: options.signal, reject: false, all: true, stdin: 'ignore'})
    return {exitCode: result.exitCode ?? null, output: result.all ?? '', timedOut: result.timedOut}
  },
}
