/**
 * The fleet API's shapes, in one place: the server validates every request body with them, the
 * client parses every answer with them, and the OpenAPI document is generated from them.
 */
import {isAbsolute} from 'node:path'
import {z} from 'zod'

import {APPROVAL_MODES} from '../agent/approval.js'
import {ROLE_NAMES} from '../agent/roles.js'
import {taskPrioritySchema} from '../state/tasks.js'

/** git URLs a task may name: http(s), ssh, git and file URLs, and scp-like `user@host:path` (never `ext::`, whose URL is a command). */
export const GIT_URL = /^(?:(?:https?|ssh|git|file):\/\/\S+|[\w.-]+@[\w.-]+:[^\s-]\S*)$/

/** The longest task text a fleet takes, in characters. */
export const TASK_TEXT_MAX = 20_000

export const PRIORITY_RANK = {low: 0, normal: 1, high: 2, highest: 3} as const

export const FLEET_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const
export const fleetStatusSchema = z.enum(FLEET_STATUSES)
export type FleetStatus = z.infer<typeof fleetStatusSchema>

/** A branch or tag the task starts from: git's ref syntax, and never anything git could read as an option. */
const refSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]+(?<![./])$/, 'a branch, tag or commit name: letters, digits, . _ / -, not starting with - nor holding ..')

export const fleetRoleSchema = z.enum([...ROLE_NAMES, 'auto'])

export const budgetsSchema = z
  .object({
    maxSteps: z.int().positive().optional(),
    maxTokens: z.int().positive().optional(),
    maxCostUsd: z.number().nonnegative().optional(),
    timeoutSec: z.int().positive().optional(),
  })
  .strict()
  .meta({description: 'Overrides of the repository\'s budgets for this task'})
export type Budgets = z.infer<typeof budgetsSchema>

export const submitTaskSchema = z
  .object({
    repository: z
      .string()
      .min(1)
      .refine(
        (repository) => isAbsolute(repository) || GIT_URL.test(repository),
        'an absolute path to a git repository on the server\'s machine, or a git URL (http, https, ssh, git, file, user@host:path)',
      )
      .meta({description: 'Absolute path of a local git repository, or a git URL the server keeps a mirror of; the task runs in its own worktree of it'}),
    task: z.string().trim().min(1).max(TASK_TEXT_MAX).meta({description: 'What to do'}),
    role: fleetRoleSchema.default('coder'),
    priority: taskPrioritySchema.default('normal'),
    approve: z.enum(APPROVAL_MODES).default('edits').meta({description: 'What runs without a person asked: nobody is there to ask, so anything else is refused'}),
    budgets: budgetsSchema.default({}),
    branch: refSchema.optional().meta({description: 'Where the worktree starts (default: the repository\'s HEAD)'}),
  })
  .strict()
export type SubmitTask = z.infer<typeof submitTaskSchema>

export const listTasksQuerySchema = z
  .object({
    status: fleetStatusSchema.optional(),
    priority: taskPrioritySchema.optional(),
    repository: z.string().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict()
export type ListTasksQuery = z.infer<typeof listTasksQuerySchema>

export const eventsQuerySchema = z
  .object({
    follow: z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true')
      .meta({description: 'false: end the stream once the events recorded so far are sent, rather than when the task ends'}),
  })
  .strict()

export const taskIdParamsSchema = z.object({id: z.uuid()}).strict()

export const fleetTaskSchema = z.object({
  id: z.uuid(),
  repository: z.string(),
  task: z.string(),
  role: fleetRoleSchema,
  priority: taskPrioritySchema,
  approve: z.enum(APPROVAL_MODES),
  budgets: budgetsSchema,
  baseRef: z.string().nullable(),
  status: fleetStatusSchema,
  attempts: z.int(),
  maxAttempts: z.int(),
  worker: z.string().nullable(),
  cancelRequested: z.boolean(),
  exitCode: z.int().nullable(),
  summary: z.string().nullable(),
  error: z.string().nullable(),
  branch: z.string().nullable(),
  baseCommit: z.string().nullable(),
  commit: z.string().nullable(),
  files: z.array(z.string()),
  usage: z.object({tokens: z.int(), costUsd: z.number()}),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
})
export type FleetTask = z.infer<typeof fleetTaskSchema>

export const fleetTaskDetailSchema = fleetTaskSchema.extend({patch: z.string().nullable().meta({description: 'The task\'s change as a git patch against baseCommit'})})
export type FleetTaskDetail = z.infer<typeof fleetTaskDetailSchema>

export const taskListSchema = z.object({tasks: z.array(fleetTaskSchema)})

export const fleetEventSchema = z.object({
  seq: z.int().positive(),
  attempt: z.int().positive(),
  event: z.record(z.string(), z.unknown()).meta({description: 'An agent event (task_started, tool_call, diff, task_finished…) or a fleet event (attempt_started, attempt_ended)'}),
})
export type FleetEvent = z.infer<typeof fleetEventSchema>

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().optional().meta({description: 'The request field at fault, as a dotted path'}),
  }),
})

export const healthSchema = z.object({
  status: z.literal('ok'),
  workers: z.array(z.object({id: z.string(), pid: z.int().nullable(), task: z.string().nullable(), restarts: z.int()})),
  queued: z.int(),
  running: z.int(),
})
