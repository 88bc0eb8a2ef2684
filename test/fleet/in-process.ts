/** The fleet's API in-process (fastify's inject: no socket at all), as bound to `bind`, with no workers and one unreachable LLM endpoint behind it; its store to look into. */
import type {FastifyInstance} from 'fastify'
import {EventEmitter} from 'node:events'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {FleetStore} from '../../src/fleet/fleet-store.js'
import {SqliteFleetStore} from '../../src/fleet/sqlite-store.js'
import {type FleetDb, openFleetStore} from '../../src/fleet/store.js'
import {isLoopbackHost, ownHostNames} from '../../src/server/auth.js'
import {buildFleetApp} from '../../src/server/http.js'
import {FleetEndpoints} from '../../src/server/llm-endpoints.js'
import {fleetMetrics} from '../../src/server/metrics.js'
import {tempDir} from '../support/temp-repo.js'

export const IN_PROCESS_PORT = 7800
export const TOKEN = 'a-token-of-this-server'

export interface InProcessFleet {
  api: FastifyInstance
  /** The same file as the store's, for the tests to write and read directly. */
  db: FleetDb
  store: FleetStore
}

export function inProcessApp(bind = '127.0.0.1', repositoryRoots: string[] = [tmpdir()], options: {path?: string; version?: string} = {}): InProcessFleet {
  const path = options.path ?? join(tempDir('pyagent-fleet-'), 'fleet.db')
  const db = openFleetStore(path)
  const store = SqliteFleetStore.open(path)
  const workers = {wake: () => {}, cancel: () => {}, view: () => []}
  const access = {port: IN_PROCESS_PORT, names: ownHostNames(bind), token: isLoopbackHost(bind) ? undefined : TOKEN}
  const endpoints = new FleetEndpoints({urls: ['http://127.0.0.1:9/v1'], failureThreshold: 1, probeIntervalMs: 60_000, scrapeIntervalMs: 60_000, apiKey: 'EMPTY'})
  const metrics = fleetMetrics({store, workers: () => [], endpoints: () => endpoints.view()})
  const api = buildFleetApp({store, access: () => access, workers, endpoints, metrics, notices: new EventEmitter(), maxAttempts: 3, repositoryRoots, version: options.version ?? '0.0.0'})
  return {api, db, store}
}
