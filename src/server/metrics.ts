/** The fleet's Prometheus metrics: tasks by status and the queue's depth read from the store when scraped, task durations as workers finish them. */
import {Counter, Gauge, Histogram, Registry} from 'prom-client'

import {FLEET_STATUSES} from '../fleet/schemas.js'
import type {FleetStore} from '../fleet/fleet-store.js'

export interface FleetMetrics {
  registry: Registry
  submitted: Counter
  finished(status: string, seconds: number): void
}

export function fleetMetrics(store: FleetStore): FleetMetrics {
  const registry = new Registry()
  new Gauge({
    name: 'pyagent_fleet_tasks',
    help: 'Fleet tasks by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const counts = await store.countByStatus()
      for (const status of FLEET_STATUSES) this.set({status}, counts[status])
    },
  })
  new Gauge({
    name: 'pyagent_fleet_queue_depth',
    help: 'Fleet tasks waiting for a worker',
    registers: [registry],
    async collect() {
      this.set((await store.countByStatus()).queued)
    },
  })
  const duration = new Histogram({
    name: 'pyagent_fleet_task_duration_seconds',
    help: 'Wall time of a fleet task attempt, by how it ended',
    labelNames: ['status'],
    buckets: [1, 5, 15, 60, 300, 900, 3600],
    registers: [registry],
  })
  const submitted = new Counter({name: 'pyagent_fleet_tasks_submitted_total', help: 'Fleet tasks submitted', registers: [registry]})
  return {registry, submitted, finished: (status, seconds) => duration.observe({status}, seconds)}
}
