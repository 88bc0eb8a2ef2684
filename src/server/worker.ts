/**
 * A fleet worker: a child process of `pyagent serve` (or of `pyagent worker`) that claims tasks
 * from the fleet's store and runs them one at a time. While a task runs it renews its claim; it
 * aborts the run when the task is cancelled or its claim was handed on. A crash here costs its
 * parent nothing: the task's heartbeat lapses and another worker retries it.
 */
import {runFleetTask} from '../app/fleet-task.js'
import {connectFleetStore} from '../fleet/connect-store.js'
import type {FleetStore, WorkerFence} from '../fleet/fleet-store.js'
import type {Claim} from '../fleet/tasks.js'
import {TaskMetrics} from '../telemetry/task-metrics.js'
import {DATABASE_ENV, FLEET_LLM_KEY_ENV, type ServerMessage, type WorkerMessage, type WorkerSettings} from './worker-protocol.js'

/**
 * Once the server is gone (killed), there is no one to tell: a send would fail (channel closed, or
 * EPIPE while the server dies) and, without a callback, end the worker before its run had cleaned
 * up. The failure itself needs no handling: 'disconnect' stops the worker.
 */
const send = (message: WorkerMessage) => {
  if (process.connected) process.send?.(message, undefined, {}, () => {})
}

/** The runs' measurements go to the server, whose /metrics shows them. */
const measurements = new TaskMetrics((name, value, attributes = {}) => send({type: 'measure', name, value, attributes: attributes as Record<string, string | number | boolean>}))

let running: {taskId: string; controller: AbortController} | undefined
let stopping = false
let wake: (() => void) | undefined

process.on('message', (message: ServerMessage) => {
  if (message.type === 'wake') wake?.()
  if (message.type === 'cancel' && running?.taskId === message.taskId) running.controller.abort()
})
// The server stops its workers with SIGTERM: the run is aborted (nothing of it is written) and its heartbeat lapses into a retry.
process.on('SIGTERM', () => {
  stopping = true
  running?.controller.abort()
  wake?.()
})
// The parent is this process's reason to be: when it goes, so does the worker.
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'))

function idle(ms: number): Promise<void> {
  send({type: 'idle'})
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    wake = () => {
      clearTimeout(timer)
      resolve()
    }
  })
}

async function runClaim(store: FleetStore, claim: Claim, settings: WorkerSettings): Promise<void> {
  const claimedAt = Date.now()
  const controller = new AbortController()
  const fence: WorkerFence = {id: claim.task.id, attempt: claim.attempt, worker: claim.worker}
  running = {taskId: fence.id, controller}
  send({type: 'claimed', taskId: fence.id})
  let beating = false
  const beat = setInterval(() => {
    if (beating) return
    beating = true
    store
      .heartbeat(fence)
      .then(({held, cancelRequested}) => {
        if (!held || cancelRequested) controller.abort()
      })
      // A beat the store could not take is tried again at the next; enough missed ones and the claim lapses, as it should.
      .catch(() => undefined)
      .finally(() => {
        beating = false
      })
  }, settings.heartbeatMs)
  // Events are recorded in the order the run emits them, one after the other.
  let recorded = Promise.resolve()
  const started = performance.now()
  try {
    const result = await runFleetTask(claim, {
      workDir: settings.workDir,
      mirrorDir: settings.mirrorDir,
      signal: controller.signal,
      claimedAt,
      listener: measurements,
      llm: {baseUrl: settings.llmBaseUrl, apiKeyEnv: FLEET_LLM_KEY_ENV, model: settings.llmModel},
      onEvent: (event) => {
        recorded = recorded.then(async () => {
          const seq = await store.appendEvent(fence, event).catch(() => undefined)
          if (seq === undefined) controller.abort()
          else send({type: 'event', taskId: fence.id, seq})
        })
      },
    })
    await recorded
    // A worker being stopped leaves its task to the lapse and a retry, rather than recording it cancelled.
    if (stopping) return
    if (await store.finishAttempt(fence, result)) send({type: 'finished', taskId: fence.id, status: result.status, seconds: (performance.now() - started) / 1000})
  } finally {
    clearInterval(beat)
    running = undefined
  }
}

async function work(settings: WorkerSettings): Promise<void> {
  const store = await connectFleetStore(settings.database, {role: 'worker'})
  let failing = false
  try {
    // `connected` too: a server killed while this process was still loading closed the channel before 'disconnect' had a listener.
    while (!stopping && process.connected) {
      try {
        const claim = await store.claimNext(settings.workerId)
        failing = false
        if (claim) await runClaim(store, claim, settings)
        else await idle(settings.pollMs)
      } catch (error) {
        // The store's errors are already masked; one line per outage, then quiet retries.
        if (!failing) process.stderr.write(`pyagent worker ${settings.workerId}: ${(error as Error).message}\n`)
        failing = true
        await idle(settings.pollMs)
      }
    }
  } finally {
    await store.close()
  }
}

await work({...(JSON.parse(process.argv[2]!) as Omit<WorkerSettings, 'database'>), database: process.env[DATABASE_ENV]})
process.exit(0)
