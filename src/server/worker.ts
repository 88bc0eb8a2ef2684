/**
 * A fleet worker: a child process of `pyagent serve` that claims tasks from the fleet's SQLite
 * queue and runs them one at a time. While a task runs it renews its claim; it aborts the run when
 * the task is cancelled or its claim was handed on. A crash here costs the server nothing: the
 * task's heartbeat lapses and another worker retries it.
 */
import {runFleetTask} from '../app/fleet-task.js'
import {openFleetStore, type FleetDb} from '../fleet/store.js'
import {appendFleetEvent, type Claim, claimNextTask, finishAttempt, heartbeat} from '../fleet/tasks.js'
import type {ServerMessage, WorkerMessage, WorkerSettings} from './worker-protocol.js'

/**
 * Once the server is gone (killed), there is no one to tell: a send would fail (channel closed, or
 * EPIPE while the server dies) and, without a callback, end the worker before its run had cleaned
 * up. The failure itself needs no handling: 'disconnect' stops the worker.
 */
const send = (message: WorkerMessage) => {
  if (process.connected) process.send?.(message, undefined, {}, () => {})
}

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
// The server is this process's reason to be: when it goes, so does the worker.
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

async function runClaim(db: FleetDb, claim: Claim, settings: WorkerSettings): Promise<void> {
  const controller = new AbortController()
  const fence = {id: claim.task.id, attempt: claim.attempt, worker: claim.worker}
  running = {taskId: fence.id, controller}
  send({type: 'claimed', taskId: fence.id})
  const beat = setInterval(() => {
    const {held, cancelRequested} = heartbeat(db, fence)
    if (!held || cancelRequested) controller.abort()
  }, settings.heartbeatMs)
  const started = performance.now()
  try {
    const result = await runFleetTask(claim, {
      workDir: settings.workDir,
      mirrorDir: settings.mirrorDir,
      signal: controller.signal,
      onEvent: (event) => {
        const seq = appendFleetEvent(db, fence, event)
        if (seq === undefined) controller.abort()
        else send({type: 'event', taskId: fence.id, seq})
      },
    })
    // A worker being stopped leaves its task to the lapse and a retry, rather than recording it cancelled.
    if (stopping) return
    if (finishAttempt(db, fence, result)) send({type: 'finished', taskId: fence.id, status: result.status, seconds: (performance.now() - started) / 1000})
  } finally {
    clearInterval(beat)
    running = undefined
  }
}

async function work(settings: WorkerSettings): Promise<void> {
  const db = openFleetStore(settings.database)
  try {
    // `connected` too: a server killed while this process was still loading closed the channel before 'disconnect' had a listener.
    while (!stopping && process.connected) {
      const claim = claimNextTask(db, settings.workerId)
      if (claim) await runClaim(db, claim, settings)
      else await idle(settings.pollMs)
    }
  } finally {
    db.close()
  }
}

await work(JSON.parse(process.argv[2]!) as WorkerSettings)
process.exit(0)
