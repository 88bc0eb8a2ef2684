/**
 * `pyagent serve`, wired once: the fleet's store, its worker processes, the lapse sweep that
 * retries tasks whose worker died, and the HTTP API, closed again in the reverse order.
 */
import {EventEmitter} from 'node:events'
import type {AddressInfo} from 'node:net'

import {discardTaskWorktree} from '../app/fleet-worktree.js'
import type {Config} from '../config/schema.js'
import {connectFleetStore, localFleetDirs} from '../fleet/connect-store.js'
import {FleetRequestError} from '../fleet/errors.js'
import {isPostgresUrl} from '../fleet/postgres/url.js'
import {ensureFleetToken} from '../fleet/token.js'
import {type AccessPolicy, isLoopbackHost, ownHostNames} from './auth.js'
import {startFleetModel} from './fleet-model.js'
import {buildFleetApp} from './http.js'
import {FleetEndpoints} from './llm-endpoints.js'
import {LLM_PROXY_PREFIX} from './llm-proxy.js'
import {startLapseSweep} from './lapse-sweep.js'
import {fleetMetrics} from './metrics.js'
import {WorkerPool} from './worker-pool.js'

export interface ServeOptions {
  host: string
  port: number
  workers: number
  /** `--database`: a path or file:PATH (default: fleet.db in the user data directory), or a postgres:// URL. */
  database: string | undefined
  config: Config
  version: string
}

export interface FleetServer {
  url: string
  /** Where the fleet's state is, fit to print (a URL's password masked). */
  database: string
  /** Where the bearer token is kept; undefined on a loopback bind, which needs none. */
  tokenRequired: boolean
  /** Said once at start: the embedded model stands in for the configured endpoints, or nothing answers. */
  notice?: string
  close(): Promise<void>
}

const WILDCARD_BINDS = new Set(['0.0.0.0', '::'])

/** How often an idle worker looks at the queue without being woken. */
const POLL_MS = 1_000

export async function startFleetServer(options: ServeOptions): Promise<FleetServer> {
  const {config, database} = options
  if (options.workers === 0 && !(database !== undefined && isPostgresUrl(database))) {
    throw new FleetRequestError('--workers 0 leaves nobody to run the tasks of a SQLite queue; give --workers 1 or more, or keep the queue in PostgreSQL (--database postgres://…) and run `pyagent worker` elsewhere.')
  }
  const lapseMs = config.fleetLapseSec * 1000
  const heartbeatMs = config.fleetHeartbeatSec * 1000
  // The token is made before anything listens, so that a bind beyond loopback is never open without one.
  const token = isLoopbackHost(options.host) ? undefined : ensureFleetToken()
  const store = await connectFleetStore(database, {role: 'server'})
  const notices = new EventEmitter().setMaxListeners(0)
  const model = await startFleetModel(config, new AbortController().signal)
  const endpoints = new FleetEndpoints({
    urls: model.urls,
    failureThreshold: config.endpointFailureThreshold,
    probeIntervalMs: config.endpointProbeIntervalMs,
    scrapeIntervalMs: config.fleetScrapeSec * 1000,
    apiKey: process.env[config.apiKeyEnv] || 'EMPTY',
  })
  const metrics = fleetMetrics({store, workers: () => pool.view(), endpoints: () => endpoints.view()})
  const dirs = localFleetDirs(database)
  const pool = new WorkerPool({count: options.workers, name: 'worker', database, ...dirs, heartbeatMs, pollMs: POLL_MS}, (message) => {
    if (message.type === 'event') notices.emit(message.taskId)
    if (message.type === 'finished') notices.emit(message.taskId)
    if (message.type === 'measure') metrics.measure(message.name, message.value, message.attributes)
  })
  let access: AccessPolicy = {port: options.port, names: ownHostNames(options.host), token}
  const app = buildFleetApp({store, access: () => access, workers: pool, endpoints, metrics, notices, maxAttempts: config.fleetMaxAttempts, repositoryRoots: config.fleetRepositoryRoots, version: options.version})
  const stopSweep = startLapseSweep(store, {lapseMs, intervalMs: Math.min(heartbeatMs, lapseMs / 2), who: 'pyagent serve'}, (lapsed) => {
    for (const task of lapsed) {
      notices.emit(task.id)
      // A retry makes a fresh worktree over what the lapsed attempt left; a task given up on must not keep it.
      if (task.outcome !== 'requeued') {
        store
          .get(task.id)
          .then((detail) => discardTaskWorktree(detail, dirs))
          .catch((error: Error) => process.stderr.write(`pyagent serve: could not discard task ${task.id}'s worktree: ${error.message}\n`))
      }
    }
    pool.wake()
  })
  // Workers on other machines record their events in PostgreSQL; its notices reach the event streams here.
  let stopWatching: (() => Promise<void>) | undefined
  try {
    stopWatching = await store.watch?.((change) => notices.emit(change.task))
    await app.listen({host: options.host, port: options.port})
  } catch (error) {
    stopSweep()
    await stopWatching?.()
    await store.close()
    await model.close()
    throw error
  }
  const {port} = app.server.address() as AddressInfo
  access = {...access, port}
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host
  endpoints.start()
  // A wildcard bind is reached on loopback; any other by the address it is bound to.
  const workerHost = WILDCARD_BINDS.has(options.host) ? '127.0.0.1' : shown
  pool.start({baseUrl: `http://${workerHost}:${port}${LLM_PROXY_PREFIX}/v1`, key: token, model: model.model})
  return {
    url: `http://${shown}:${port}`,
    database: store.location,
    tokenRequired: token !== undefined,
    notice: model.notice,
    close: async () => {
      stopSweep()
      endpoints.stop()
      await pool.stop()
      await app.close()
      await stopWatching?.()
      await store.close()
      await model.close()
    },
  }
}
