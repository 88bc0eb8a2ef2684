/**
 * `pyagent serve`, wired once: the fleet's store, its worker processes, the lapse sweep that
 * retries tasks whose worker died, and the HTTP API, closed again in the reverse order.
 */
import {EventEmitter} from 'node:events'
import {mkdirSync} from 'node:fs'
import type {AddressInfo} from 'node:net'
import {dirname, join} from 'node:path'

import {discardTaskWorktree} from '../app/fleet-worktree.js'
import type {Config} from '../config/schema.js'
import {fleetDatabasePath, openFleetStore} from '../fleet/store.js'
import {getTask, recoverLapsedTasks} from '../fleet/tasks.js'
import {ensureFleetToken} from '../fleet/token.js'
import {type AccessPolicy, isLoopbackHost, ownHostNames} from './auth.js'
import {buildFleetApp} from './http.js'
import {fleetMetrics} from './metrics.js'
import {WorkerPool} from './worker-pool.js'

export interface ServeOptions {
  host: string
  port: number
  workers: number
  /** `--database`: a path or file:PATH; default: fleet.db in the user data directory. */
  database: string | undefined
  config: Config
  version: string
}

export interface FleetServer {
  url: string
  database: string
  /** Where the bearer token is kept; undefined on a loopback bind, which needs none. */
  tokenRequired: boolean
  close(): Promise<void>
}

/** How often an idle worker looks at the queue without being woken. */
const POLL_MS = 1_000

export async function startFleetServer(options: ServeOptions): Promise<FleetServer> {
  const database = fleetDatabasePath(options.database)
  const db = openFleetStore(database)
  const {config} = options
  const lapseMs = config.fleetLapseSec * 1000
  const heartbeatMs = config.fleetHeartbeatSec * 1000
  // The token is made before anything listens, so that a bind beyond loopback is never open without one.
  const token = isLoopbackHost(options.host) ? undefined : ensureFleetToken()
  const notices = new EventEmitter().setMaxListeners(0)
  const metrics = fleetMetrics(db)
  const workDir = join(dirname(database), 'worktrees')
  mkdirSync(workDir, {recursive: true})
  const mirrorDir = join(dirname(database), 'mirrors')
  const pool = new WorkerPool({count: options.workers, database, workDir, mirrorDir, heartbeatMs, pollMs: POLL_MS}, (message) => {
    if (message.type === 'event') notices.emit(message.taskId)
    if (message.type === 'finished') {
      metrics.finished(message.status, message.seconds)
      notices.emit(message.taskId)
    }
  })
  let access: AccessPolicy = {port: options.port, names: ownHostNames(options.host), token}
  const app = buildFleetApp({db, access: () => access, workers: pool, metrics, notices, maxAttempts: config.fleetMaxAttempts, repositoryRoots: config.fleetRepositoryRoots, version: options.version})
  const sweep = setInterval(() => {
    for (const lapsed of recoverLapsedTasks(db, lapseMs)) {
      notices.emit(lapsed.id)
      // A retry makes a fresh worktree over what the lapsed attempt left; a task given up on must not keep it.
      if (lapsed.outcome !== 'requeued') {
        discardTaskWorktree(getTask(db, lapsed.id), {workDir, mirrorDir}).catch((error: Error) => process.stderr.write(`pyagent serve: could not discard task ${lapsed.id}'s worktree: ${error.message}\n`))
      }
    }
    pool.wake()
  }, Math.min(heartbeatMs, lapseMs / 2))
  try {
    await app.listen({host: options.host, port: options.port})
  } catch (error) {
    clearInterval(sweep)
    db.close()
    throw error
  }
  const {port} = app.server.address() as AddressInfo
  access = {...access, port}
  pool.start()
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host
  return {
    url: `http://${shown}:${port}`,
    database,
    tokenRequired: token !== undefined,
    close: async () => {
      clearInterval(sweep)
      await pool.stop()
      await app.close()
      db.close()
    },
  }
}
