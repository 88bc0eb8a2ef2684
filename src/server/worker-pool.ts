/**
 * The server's worker processes: N children forked from worker.js, each restarted when it dies
 * (its task is left to the heartbeat lapse and retried), told to wake when a task is queued, and
 * told which task to abort on a cancel.
 */
import {type ChildProcess, fork} from 'node:child_process'
import {randomUUID} from 'node:crypto'

import {DATABASE_ENV, FLEET_LLM_KEY_ENV, type ServerMessage, type WorkerMessage, type WorkerModel, type WorkerSettings} from './worker-protocol.js'

const WORKER_SCRIPT = new URL('./worker.js', import.meta.url)

/** A dead worker is replaced after this pause, so that one that dies at start cannot spin. */
const RESTART_DELAY_MS = 500

/** How long stopping waits for a worker to end its run before killing it. */
const STOP_GRACE_MS = 5_000

export interface WorkerView {
  id: string
  pid: number | null
  task: string | null
  restarts: number
}

interface Slot {
  id: string
  child: ChildProcess | undefined
  task: string | null
  restarts: number
}

export interface WorkerPoolSettings extends Omit<WorkerSettings, 'workerId' | 'llmBaseUrl' | 'llmModel'> {
  count: number
  /** Starts each worker's id (the machine's name for a remote host), so a task's record says where it ran. */
  name: string
}

/** Known once the server listens: where the workers send their LLM requests, and the key they send (the fleet token, if any). */
export interface WorkerLlmRoute {
  baseUrl: string
  key: string | undefined
  model?: WorkerModel
}

export class WorkerPool {
  private readonly slots: Slot[] = []
  private stopping = false
  private llm: WorkerLlmRoute = {baseUrl: '', key: undefined}

  constructor(
    private readonly settings: WorkerPoolSettings,
    private readonly onMessage: (message: WorkerMessage) => void,
  ) {}

  start(llm: WorkerLlmRoute): void {
    this.llm = llm
    for (let index = 0; index < this.settings.count; index++) {
      const slot: Slot = {id: '', child: undefined, task: null, restarts: 0}
      this.slots.push(slot)
      this.spawn(slot, index)
    }
  }

  /** Every worker looks at the queue now rather than at its next poll. */
  wake(): void {
    this.broadcast({type: 'wake'})
  }

  cancel(taskId: string): void {
    this.broadcast({type: 'cancel', taskId})
  }

  view(): WorkerView[] {
    return this.slots.map((slot) => ({id: slot.id, pid: slot.child?.pid ?? null, task: slot.task, restarts: slot.restarts}))
  }

  async stop(): Promise<void> {
    this.stopping = true
    await Promise.all(this.slots.map((slot) => stopChild(slot.child)))
  }

  private broadcast(message: ServerMessage): void {
    for (const slot of this.slots) if (slot.child?.connected) slot.child.send(message)
  }

  private spawn(slot: Slot, index: number): void {
    // A new id for each process: a restarted worker never holds the claims of the one before it.
    slot.id = `${this.settings.name}-${index + 1}-${randomUUID().slice(0, 8)}`
    slot.task = null
    const {database, count: _count, name: _name, ...settings} = {...this.settings, workerId: slot.id, llmBaseUrl: this.llm.baseUrl, llmModel: this.llm.model} satisfies WorkerSettings & WorkerPoolSettings
    const env: NodeJS.ProcessEnv = {...process.env, [FLEET_LLM_KEY_ENV]: this.llm.key ?? 'EMPTY'}
    if (database === undefined) delete env[DATABASE_ENV]
    else env[DATABASE_ENV] = database
    const child = fork(WORKER_SCRIPT, [JSON.stringify(settings)], {stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env})
    slot.child = child
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'claimed') slot.task = message.taskId
      if (message.type === 'finished' || message.type === 'idle') slot.task = null
      this.onMessage(message)
    })
    child.on('exit', () => {
      if (slot.child !== child) return
      slot.child = undefined
      if (this.stopping) return
      slot.restarts += 1
      setTimeout(() => this.stopping || this.spawn(slot, index), RESTART_DELAY_MS).unref()
    })
  }
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
  await exited
  clearTimeout(timer)
}
