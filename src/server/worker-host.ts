/**
 * `pyagent worker`: a host for fleet workers on any machine that reaches the fleet's PostgreSQL.
 * It checks the database first (so a bad URL, a refused login or a database that does not answer
 * is said at once), then runs N worker processes, wakes them when a task is queued and stops the
 * run of a task that is cancelled, both as PostgreSQL notifies it, and sweeps lapsed claims.
 */
import {hostname} from 'node:os'

import type {Config} from '../config/schema.js'
import {connectFleetStore, localFleetDirs} from '../fleet/connect-store.js'
import {FleetRequestError} from '../fleet/errors.js'
import {isPostgresUrl} from '../fleet/postgres/url.js'
import {clientFleetToken} from '../fleet/token.js'
import {startLapseSweep} from './lapse-sweep.js'
import {LLM_PROXY_PREFIX} from './llm-proxy.js'
import {WorkerPool} from './worker-pool.js'

export interface WorkerHostOptions {
  database: string
  concurrency: number
  config: Config
  /** The fleet server whose endpoint pool (its /llm/v1 route) the workers use; undefined: the LLM endpoint of this machine's config. */
  server?: string
}

export interface WorkerHost {
  /** The database, fit to print (its password masked). */
  database: string
  /** What its workers' ids start with (this machine and this process), as tasks record them. */
  name: string
  close(): Promise<void>
}

/** How often an idle worker looks at the queue without being woken (a lost notice costs at most this). */
const POLL_MS = 2_000

export async function startWorkerHost(options: WorkerHostOptions): Promise<WorkerHost> {
  const {database, config} = options
  if (!isPostgresUrl(database)) {
    throw new FleetRequestError('`pyagent worker` takes its tasks from PostgreSQL: give --database postgres://USER@HOST/DATABASE. A SQLite queue is worked by `pyagent serve --workers N` alone.')
  }
  if (options.server !== undefined && !/^https?:\/\/[^/\s]/.test(options.server)) {
    throw new FleetRequestError(`--server ${options.server} is not the fleet server's http:// or https:// address (what \`pyagent serve\` printed, e.g. http://fleet.internal:7800).`)
  }
  const store = await connectFleetStore(database, {role: 'worker'})
  const heartbeatMs = config.fleetHeartbeatSec * 1000
  const lapseMs = config.fleetLapseSec * 1000
  const name = `${hostname()}-${process.pid}`
  const pool = new WorkerPool(
    {count: options.concurrency, name, database, ...localFleetDirs(database), heartbeatMs, pollMs: POLL_MS},
    () => undefined,
  )
  let stopWatching: (() => Promise<void>) | undefined
  try {
    stopWatching = await store.watch!((change) => {
      if (change.status === 'queued') pool.wake()
      if (change.status === 'running' && change.cancelRequested) pool.cancel(change.task)
    })
  } catch (error) {
    await store.close()
    throw error
  }
  const stopSweep = startLapseSweep(store, {lapseMs, intervalMs: Math.min(heartbeatMs, lapseMs / 2), who: 'pyagent worker'}, (lapsed) => {
    if (lapsed.length > 0) pool.wake()
  })
  // Through the server, the workers share its one endpoint pool (load counts, conversation affinity); without it they call this machine's endpoint.
  pool.start(options.server ? {baseUrl: `${options.server.replace(/\/+$/, '')}${LLM_PROXY_PREFIX}/v1`, key: clientFleetToken()} : {baseUrl: config.baseUrl, key: process.env[config.apiKeyEnv]})
  return {
    database: store.location,
    name,
    close: async () => {
      stopSweep()
      await pool.stop()
      await stopWatching?.()
      await store.close()
    },
  }
}
