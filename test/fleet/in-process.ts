/** The fleet's API in-process (fastify's inject: no socket at all), as bound to `bind`, with no workers and one unreachable LLM endpoint behind it. */
import {EventEmitter} from 'node:events'

import type {FleetStore} from '../../src/fleet/fleet-store.js'
import {isLoopbackHost, ownHostNames} from '../../src/server/auth.js'
import {buildFleetApp} from '../../src/server/http.js'
import {FleetEndpoints} from '../../src/server/llm-endpoints.js'
import {fleetMetrics} from '../../src/server/metrics.js'

export const IN_PROCESS_PORT = 7800

export function inProcessFleetApp(store: FleetStore, options: {bind?: string; token?: string; version?: string} = {}) {
  const bind = options.bind ?? '127.0.0.1'
  const workers = {wake: () => {}, cancel: () => {}, view: () => []}
  const access = {port: IN_PROCESS_PORT, names: ownHostNames(bind), token: isLoopbackHost(bind) ? undefined : options.token}
  const endpoints = new FleetEndpoints({urls: ['http://127.0.0.1:9/v1'], failureThreshold: 1, probeIntervalMs: 60_000, scrapeIntervalMs: 60_000, apiKey: 'EMPTY'})
  const metrics = fleetMetrics({store, workers: () => [], endpoints: () => endpoints.view()})
  return buildFleetApp({store, access: () => access, workers, endpoints, metrics, notices: new EventEmitter(), maxAttempts: 3, version: options.version ?? '0.0.0'})
}
