/**
 * The fleet's HTTP API (fastify): tasks submitted, listed, shown and cancelled, their events as
 * SSE, health, metrics and the OpenAPI document. Every request passes the access check first;
 * every refusal is a JSON error with a stable code, and only a fault of the server is a 500.
 */
import type {EventEmitter} from 'node:events'

import Fastify, {type FastifyError, type FastifyInstance} from 'fastify'
import {z} from 'zod'

import {isPyAgentError} from '../errors.js'
import {FleetRequestError} from '../fleet/errors.js'
import {eventsQuerySchema, listTasksQuerySchema, submitTaskSchema, TASK_TEXT_MAX, taskIdParamsSchema} from '../fleet/schemas.js'
import type {FleetDb} from '../fleet/store.js'
import {countByStatus, getTask, listTasks, requestCancel, submitTask} from '../fleet/tasks.js'
import {type AccessPolicy, checkAccess, FleetAuthError} from './auth.js'
import {streamTaskEvents} from './event-stream.js'
import type {FleetMetrics} from './metrics.js'
import {openApiDocument} from './openapi.js'
import {checkRepository} from './repository-roots.js'
import {parseRequest} from './requests.js'
import type {WorkerView} from './worker-pool.js'

export interface FleetWorkers {
  wake(): void
  cancel(taskId: string): void
  view(): WorkerView[]
}

export interface FleetAppOptions {
  db: FleetDb
  /** Read per request: the port is known only once the server listens. */
  access(): AccessPolicy
  workers: FleetWorkers
  metrics: FleetMetrics
  /** Named by task id whenever a worker records one of its events. */
  notices: EventEmitter
  maxAttempts: number
  /** fleetRepositoryRoots: where a local repository must lie. */
  repositoryRoots: readonly string[]
  version: string
}

/** Far above any task's text (TASK_TEXT_MAX): what is bigger is refused before it is read. */
const BODY_LIMIT = 1_048_576

const STATUS_BY_CODE: Partial<Record<string, number>> = {E_FLEET_REQUEST: 400, E_FLEET_TASK_UNKNOWN: 404, E_FLEET_TASK_STATE: 409}

const resumeHeaderSchema = z.object({'last-event-id': z.coerce.number().int().nonnegative().default(0)})

function errorBody(code: string, message: string, field?: string) {
  return {error: {code, message, ...(field ? {field} : {})}}
}

export function buildFleetApp(options: FleetAppOptions): FastifyInstance {
  const {db, notices} = options
  const app = Fastify({logger: false, bodyLimit: BODY_LIMIT, forceCloseConnections: true})

  app.addHook('onRequest', async (request) => {
    checkAccess({host: request.headers.host, origin: request.headers.origin, authorization: request.headers.authorization}, options.access())
  })

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error instanceof FleetAuthError) return reply.status(error.status).send(errorBody(error.code, error.message))
    if (error instanceof FleetRequestError) return reply.status(400).send(errorBody(error.code, error.message, error.field))
    if (isPyAgentError(error) && STATUS_BY_CODE[error.code]) return reply.status(STATUS_BY_CODE[error.code]!).send(errorBody(error.code, error.message))
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send(errorBody('E_FLEET_REQUEST', `The request body is over the server's limit of ${BODY_LIMIT / 1_048_576} MiB; a task's text may hold at most ${TASK_TEXT_MAX.toLocaleString('en')} characters.`, 'body'))
    }
    // fastify's own refusals (a body that is not JSON, too large, of another media type) are the client's to fix.
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send(errorBody('E_FLEET_REQUEST', `${error.message}. The API's schemas are at /openapi.json.`, 'body'))
    }
    process.stderr.write(`pyagent serve: ${error.stack ?? error.message}\n`)
    return reply.status(500).send(errorBody('E_FLEET_INTERNAL', 'The fleet server failed to answer this request; its log says why.'))
  })
  app.setNotFoundHandler((request, reply) => reply.status(404).send(errorBody('E_FLEET_REQUEST', `${request.method} ${request.url.split('?')[0]} is not a route of the fleet API; see /openapi.json.`)))

  app.post('/tasks', async (request, reply) => {
    const body = parseRequest(submitTaskSchema, request.body, 'body')
    checkRepository(body.repository, options.repositoryRoots)
    const task = submitTask(db, body, options.maxAttempts)
    options.metrics.submitted.inc()
    options.workers.wake()
    return reply.status(201).send(task)
  })

  app.get('/tasks', async (request) => ({tasks: listTasks(db, parseRequest(listTasksQuerySchema, request.query, 'query'))}))

  app.get('/tasks/:id', async (request) => getTask(db, parseRequest(taskIdParamsSchema, request.params, 'path').id))

  app.post('/tasks/:id/cancel', async (request, reply) => {
    const {id} = parseRequest(taskIdParamsSchema, request.params, 'path')
    const task = requestCancel(db, id)
    options.workers.cancel(id)
    notices.emit(id)
    return reply.status(202).send(task)
  })

  app.get('/tasks/:id/events', async (request, reply) => {
    const {id} = parseRequest(taskIdParamsSchema, request.params, 'path')
    getTask(db, id)
    const {follow} = parseRequest(eventsQuerySchema, request.query, 'query')
    const after = parseRequest(resumeHeaderSchema, {'last-event-id': request.headers['last-event-id']}, 'header')['last-event-id']
    reply.hijack()
    streamTaskEvents(db, notices, id, {afterSeq: after, follow}, reply.raw)
  })

  app.get('/health', async () => {
    const counts = countByStatus(db)
    return {status: 'ok', workers: options.workers.view(), queued: counts.queued, running: counts.running}
  })

  app.get('/metrics', async (_request, reply) => reply.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics()))

  const document = openApiDocument(options.version)
  app.get('/openapi.json', async () => document)
  return app
}
