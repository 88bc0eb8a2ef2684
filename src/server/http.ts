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
import type {FleetStore} from '../fleet/fleet-store.js'
import {type AccessPolicy, checkAccess, FleetAuthError} from './auth.js'
import {isDashboardAsset, registerDashboard} from './dashboard/assets.js'
import {streamTaskEvents} from './event-stream.js'
import {endpointListSchema, type FleetEndpoints} from './llm-endpoints.js'
import {registerLlmProxy} from './llm-proxy.js'
import type {FleetMetrics} from './metrics.js'
import {openApiDocument} from './openapi.js'
import {checkRepository} from './repository-roots.js'
import {parseRequest} from './requests.js'
import {registerTaskResultRoutes} from './routes/task-results.js'
import type {WorkerView} from './worker-pool.js'

export interface FleetWorkers {
  wake(): void
  cancel(taskId: string): void
  view(): WorkerView[]
}

export interface FleetAppOptions {
  store: FleetStore
  /** Read per request: the port is known only once the server listens. */
  access(): AccessPolicy
  workers: FleetWorkers
  /** The fleet's LLM endpoint pool, which the workers reach through /llm/v1. */
  endpoints: FleetEndpoints
  metrics: FleetMetrics
  /** Named by task id whenever a worker records one of its events. */
  notices: EventEmitter
  maxAttempts: number
  /** fleetRepositoryRoots: where a local repository must lie. */
  repositoryRoots: readonly string[]
  version: string
}

/** Apply and undo meet the working tree as it is: a change made since, a lock held, a patch that no longer fits are conflicts to resolve there. */
const WORKING_TREE_CONFLICTS = ['E_UNDO_REFUSED', 'E_TX_COLLISION', 'E_TX_LOCKED', 'E_EDIT_FAILED', 'E_HUNK_FAILED', 'E_PATH_REFUSED', 'E_LOOKUP']
/** Far above any task's text (TASK_TEXT_MAX): what is bigger is refused before it is read. */
const BODY_LIMIT = 1_048_576

const STATUS_BY_CODE: Partial<Record<string, number>> = {
  E_FLEET_REQUEST: 400,
  E_FLEET_TASK_UNKNOWN: 404,
  E_FLEET_TASK_STATE: 409,
  ...Object.fromEntries(WORKING_TREE_CONFLICTS.map((code) => [code, 409])),
}

const resumeHeaderSchema = z.object({'last-event-id': z.coerce.number().int().nonnegative().default(0)})

function errorBody(code: string, message: string, field?: string) {
  return {error: {code, message, ...(field ? {field} : {})}}
}

export function buildFleetApp(options: FleetAppOptions): FastifyInstance {
  const {store, notices} = options
  const app = Fastify({logger: false, bodyLimit: BODY_LIMIT, forceCloseConnections: true})

  app.addHook('onRequest', async (request) => {
    const policy = options.access()
    // The dashboard's page and bundle hold no data: a browser loads them first, then asks for the token.
    checkAccess({host: request.headers.host, origin: request.headers.origin, authorization: request.headers.authorization}, isDashboardAsset(request.url) ? {...policy, token: undefined} : policy)
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
    const task = await store.submit(body, options.maxAttempts)
    options.metrics.submitted.inc()
    options.workers.wake()
    return reply.status(201).send(task)
  })

  app.get('/tasks', async (request) => ({tasks: await store.list(parseRequest(listTasksQuerySchema, request.query, 'query'))}))

  app.get('/tasks/:id', async (request) => store.get(parseRequest(taskIdParamsSchema, request.params, 'path').id))

  app.post('/tasks/:id/cancel', async (request, reply) => {
    const {id} = parseRequest(taskIdParamsSchema, request.params, 'path')
    const task = await store.requestCancel(id)
    options.workers.cancel(id)
    notices.emit(id)
    return reply.status(202).send(task)
  })

  app.get('/tasks/:id/events', async (request, reply) => {
    const {id} = parseRequest(taskIdParamsSchema, request.params, 'path')
    await store.get(id)
    const {follow} = parseRequest(eventsQuerySchema, request.query, 'query')
    const after = parseRequest(resumeHeaderSchema, {'last-event-id': request.headers['last-event-id']}, 'header')['last-event-id']
    reply.hijack()
    streamTaskEvents(store, notices, id, {afterSeq: after, follow}, reply.raw)
  })

  app.get('/health', async () => {
    const counts = await store.countByStatus()
    return {status: 'ok', workers: options.workers.view(), queued: counts.queued, running: counts.running}
  })

  app.get('/endpoints', async () => endpointListSchema.parse({endpoints: options.endpoints.view()}))
  registerLlmProxy(app, options.endpoints)

  app.get('/metrics', async (_request, reply) => reply.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics()))

  registerTaskResultRoutes(app, store, (taskId) => notices.emit(taskId))
  registerDashboard(app)

  const document = openApiDocument(options.version)
  app.get('/openapi.json', async () => document)
  return app
}
