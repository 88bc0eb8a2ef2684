/** The fleet API's OpenAPI 3.1 document, generated from the same zod schemas that validate its requests. */
import {z} from 'zod'

import {appliedTaskSchema, undoneTaskSchema, undoTaskBodySchema} from '../app/fleet-repository-apply.js'
import {fleetStatsQuerySchema, fleetStatsSchema} from '../app/fleet-stats.js'
import {
  errorBodySchema,
  eventsQuerySchema,
  fleetEventSchema,
  fleetTaskDetailSchema,
  fleetTaskSchema,
  healthSchema,
  listTasksQuerySchema,
  submitTaskSchema,
  taskListSchema,
} from '../fleet/schemas.js'
import {endpointListSchema} from './llm-endpoints.js'

/** OpenAPI 3.1 speaks JSON Schema 2020-12, zod's own target; the `$schema` line is the document's to give. */
function schema(type: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const {$schema: _dialect, ...rest} = z.toJSONSchema(type, {io, unrepresentable: 'any'}) as Record<string, unknown>
  return rest
}

const json = (ref: string) => ({content: {'application/json': {schema: {$ref: `#/components/schemas/${ref}`}}}})
const error = (description: string) => ({description, ...json('Error')})
const COMMON_ERRORS = {
  '401': error('A bind beyond loopback, and no or another bearer token (E_FLEET_UNAUTHORIZED)'),
  '403': error('A Host or Origin that is not the server\'s own (E_FLEET_FORBIDDEN)'),
}
const taskId = {name: 'id', in: 'path', required: true, schema: {type: 'string', format: 'uuid'}}

function queryParameters(query: z.ZodType): Record<string, unknown>[] {
  const properties = schema(query, 'input').properties as Record<string, unknown>
  return Object.entries(properties).map(([name, property]) => ({name, in: 'query', required: false, schema: property}))
}

export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {title: 'PyAgent fleet', version, description: 'Submit coding tasks to a PyAgent fleet server, follow their events and collect their results.'},
    components: {
      securitySchemes: {bearer: {type: 'http', scheme: 'bearer', description: 'Needed only when the server is bound beyond loopback'}},
      schemas: {
        SubmitTask: schema(submitTaskSchema, 'input'),
        Task: schema(fleetTaskSchema),
        TaskDetail: schema(fleetTaskDetailSchema),
        TaskList: schema(taskListSchema),
        Event: schema(fleetEventSchema),
        Health: schema(healthSchema),
        Error: schema(errorBodySchema),
        EndpointList: schema(endpointListSchema),
        UndoTask: schema(undoTaskBodySchema, 'input'),
        AppliedTask: schema(appliedTaskSchema),
        UndoneTask: schema(undoneTaskSchema),
        Stats: schema(fleetStatsSchema),
      },
    },
    security: [{}, {bearer: []}],
    paths: {
      '/tasks': {
        post: {
          summary: 'Queue a task',
          requestBody: {required: true, ...json('SubmitTask')},
          responses: {'201': {description: 'Queued', ...json('Task')}, '400': error('A field the schema refuses, named in error.field (E_FLEET_REQUEST)'), ...COMMON_ERRORS},
        },
        get: {
          summary: 'List tasks, newest first',
          parameters: queryParameters(listTasksQuerySchema),
          responses: {'200': {description: 'Tasks', ...json('TaskList')}, '400': error('A query field the schema refuses (E_FLEET_REQUEST)'), ...COMMON_ERRORS},
        },
      },
      '/tasks/{id}': {
        get: {
          summary: 'One task: status, usage, cost, files, branch, commit and patch',
          parameters: [taskId],
          responses: {'200': {description: 'The task', ...json('TaskDetail')}, '404': error('No such task (E_FLEET_TASK_UNKNOWN)'), ...COMMON_ERRORS},
        },
      },
      '/tasks/{id}/cancel': {
        post: {
          summary: 'Cancel a queued or running task: the run stops and nothing is written',
          parameters: [taskId],
          responses: {'202': {description: 'Cancelling', ...json('Task')}, '404': error('No such task'), '409': error('The task has already ended (E_FLEET_TASK_STATE)'), ...COMMON_ERRORS},
        },
      },
      '/tasks/{id}/events': {
        get: {
          summary: 'The task\'s events as Server-Sent Events; each `id:` is the event\'s number, and `Last-Event-ID` resumes after it',
          parameters: [
            taskId,
            ...queryParameters(eventsQuerySchema),
            {name: 'Last-Event-ID', in: 'header', required: false, schema: {type: 'integer', minimum: 0}},
          ],
          responses: {
            '200': {
              description: 'One `data:` line per event (the Event schema), then `event: end` (data: {"status"}) once the task has ended and every event was sent, or with follow=false once the events so far were sent',
              content: {'text/event-stream': {schema: {type: 'string'}}},
            },
            '404': error('No such task'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/tasks/{id}/apply': {
        post: {
          summary: 'Bring a done task\'s change into its repository\'s working tree on the server\'s machine, in one workspace transaction (recorded as the task\'s `applied` event)',
          parameters: [taskId],
          responses: {
            '200': {description: 'Applied', ...json('AppliedTask')},
            '404': error('No such task'),
            '409': error('Not done, no change, a repository given by URL, already applied (E_FLEET_TASK_STATE), or a working tree the patch no longer fits (E_HUNK_FAILED, E_TX_COLLISION…)'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/tasks/{id}/undo': {
        post: {
          summary: 'Take an applied task\'s change out of the working tree again: its apply transaction is undone (recorded as the task\'s `undone` event); the branch stays',
          parameters: [taskId],
          requestBody: {required: false, ...json('UndoTask')},
          responses: {
            '200': {description: 'Undone', ...json('UndoneTask')},
            '400': error('A body field the schema refuses (E_FLEET_REQUEST)'),
            '404': error('No such task'),
            '409': error('Not applied (E_FLEET_TASK_STATE), or its files changed since the apply and `force` was not set (E_UNDO_REFUSED)'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/stats': {
        get: {
          summary: 'The dashboard\'s figures: per hour or day, tasks by state, tokens, cost, step latency and the `pyagent stats` figures of the tasks that ended',
          parameters: queryParameters(fleetStatsQuerySchema),
          responses: {'200': {description: 'Figures', ...json('Stats')}, '400': error('A query field the schema refuses (E_FLEET_REQUEST)'), ...COMMON_ERRORS},
        },
      },
      '/health': {get: {summary: 'The server and its workers', responses: {'200': {description: 'Up', ...json('Health')}, ...COMMON_ERRORS}}},
      '/endpoints': {
        get: {
          summary: "The fleet's LLM endpoints: health, requests in flight, and what each one's vLLM /metrics says of its KV cache, prefix cache, speculative decoding and queue",
          responses: {'200': {description: 'Endpoints', ...json('EndpointList')}, ...COMMON_ERRORS},
        },
      },
      '/llm/v1/chat/completions': {
        post: {
          summary: "OpenAI's chat completions, forwarded to the least busy LLM endpoint (workers use this route); `x-pyagent-conversation` keeps a conversation on one endpoint. Also /llm/v1/models, /llm/tokenize, /llm/version, /llm/health",
          parameters: [{name: 'x-pyagent-conversation', in: 'header', required: false, schema: {type: 'string', maxLength: 200}}],
          requestBody: {required: true, content: {'application/json': {schema: {type: 'object'}}}},
          responses: {
            '200': {description: "The endpoint's answer, streamed through as it comes", content: {'application/json': {schema: {type: 'object'}}, 'text/event-stream': {schema: {type: 'string'}}}},
            '502': {description: 'No endpoint could be reached', content: {'application/json': {schema: {type: 'object'}}}},
            '503': {description: 'Every endpoint is set aside and none answered its probe', content: {'application/json': {schema: {type: 'object'}}}},
            ...COMMON_ERRORS,
          },
        },
      },
      '/metrics': {get: {summary: 'Prometheus metrics', responses: {'200': {description: 'Text exposition format', content: {'text/plain': {schema: {type: 'string'}}}}, ...COMMON_ERRORS}}},
      '/openapi.json': {get: {summary: 'This document', responses: {'200': {description: 'OpenAPI 3.1', content: {'application/json': {schema: {type: 'object'}}}}}}},
    },
  }
}
