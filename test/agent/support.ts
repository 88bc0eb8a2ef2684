/**
 * The scripted model of the agent tests: a queue of replies (or a function of the request) that
 * test/support's OpenAI-compatible server sends back in vLLM's wire format (see harness.ts).
 * Until the workspace lands, a transaction over the real file system and execa stand in for it.
 */
import {execa} from 'execa'
import {randomUUID} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'

import type {ChatRequest, CommandRunner, TransactionPort, WorkspacePort} from '../../src/agent/ports.js'

export interface ScriptedReply {
  text?: string
  toolCalls?: {name: string; arguments: string}[]
  /** Milliseconds before each streamed piece. */
  delayMs?: number
  promptTokens?: number
  /** Scripted through the prompt token count and the test model's price (harness.ts). */
  costUsd?: number
}

export type Script = ScriptedReply | ((request: ChatRequest) => ScriptedReply)

export class ScriptedModel {
  readonly requests: ChatRequest[] = []
  private readonly queue: Script[]

  constructor(replies: Script[], private readonly fallback?: (request: ChatRequest) => ScriptedReply) {
    this.queue = [...replies]
  }

  /** Records the request and picks the scripted reply; a script function may throw to fail the call. */
  next(request: ChatRequest): ScriptedReply {
    this.requests.push(structuredClone({...request, signal: undefined, responseSchema: undefined}) as ChatRequest)
    const next = this.queue.shift() ?? this.fallback
    if (!next) throw new Error('scripted model: no reply left')
    return typeof next === 'function' ? next(request) : next
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
  private readonly staged = new Map<string, Buffer | null>()
  private readonly readHashes = new Map<string, string | null>()

  constructor(private readonly root: string) {}

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

export const execaRunner: CommandRunner = {
  async run(argv, options) {
    const result = await execa(argv[0]!, argv.slice(1), {cwd: options.cwd, timeout: options.timeoutMs, cancelSignal: options.signal, reject: false, all: true, stdin: 'ignore'})
    return {exitCode: result.exitCode ?? null, output: result.all ?? '', timedOut: result.timedOut}
  },
}
