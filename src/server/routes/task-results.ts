/**
 * The routes the dashboard adds to the fleet API: apply and undo of a task in its repository's
 * working tree on the server's machine, and the figures its charts draw. Each request part is
 * checked with its zod schema, so a bad one is a 400 naming the field.
 */
import type {FastifyInstance} from 'fastify'

import {applyTaskInRepository, undoTaskBodySchema, undoTaskInRepository} from '../../app/fleet-repository-apply.js'
import {fleetStatsQuerySchema, readFleetStats} from '../../app/fleet-stats.js'
import {taskIdParamsSchema} from '../../fleet/schemas.js'
import type {FleetStore} from '../../fleet/fleet-store.js'
import {parseRequest} from '../requests.js'

export function registerTaskResultRoutes(app: FastifyInstance, store: FleetStore, notify: (taskId: string) => void): void {
  app.post('/tasks/:id/apply', async (request) => {
    const {id} = parseRequest(taskIdParamsSchema, request.params, 'path')
    const applied = await applyTaskInRepository(store, id)
    notify(id)
    return applied
  })

  app.post('/tasks/:id/undo', async (request) => {
    const {id} = parseRequest(taskIdParamsSchema, request.params, 'path')
    const {force} = parseRequest(undoTaskBodySchema, request.body, 'body')
    const undone = await undoTaskInRepository(store, id, {force})
    notify(id)
    return undone
  })

  app.get('/stats', async (request) => readFleetStats(store, parseRequest(fleetStatsQuerySchema, request.query, 'query')))
}
