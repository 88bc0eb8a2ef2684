/**
 * The fleet dashboard's charts, as one report: per hour (or day) the tasks queued and running at
 * its end, the tasks that ended in it by how they ended, their tokens and cost, the `pyagent stats`
 * figures of those tasks (success rate, steps, edit-apply rate…) and how long their steps took.
 */
import {z} from 'zod'

import {FLEET_STATUSES, type FleetStatus} from '../fleet/schemas.js'
import type {FleetTaskTimes} from '../fleet/stats.js'
import type {FleetStore} from '../fleet/fleet-store.js'
import type {TaskFigures} from '../state/stats.js'
import {sinceSchema, type StatsFigures, sumFigures} from './stats.js'

const BUCKET_MS = {hour: 3_600_000, day: 86_400_000} as const
/** More points than this draw no better chart, and cost the server a request's worth of work each. */
const MAX_BUCKETS = 1_000

export const fleetStatsQuerySchema = z
  .object({
    since: z.string().default('24h').pipe(sinceSchema).meta({description: 'How far back: a count and a unit (m, h, d, w), e.g. 24h or 7d'}),
    bucket: z.enum(['hour', 'day']).default('hour'),
  })
  .strict()
  .refine((query) => query.since / BUCKET_MS[query.bucket] <= MAX_BUCKETS, {
    path: ['since'],
    message: `more than ${MAX_BUCKETS} buckets; ask for a shorter span or bucket=day`,
  })
export type FleetStatsQuery = z.infer<typeof fleetStatsQuerySchema>

const ENDED = FLEET_STATUSES.filter((status) => status !== 'queued' && status !== 'running') as Exclude<FleetStatus, 'queued' | 'running'>[]

const figuresSchema = z.object({
  tasks: z.int(),
  succeeded: z.int(),
  successRate: z.number().nullable(),
  steps: z.int(),
  tokens: z.int(),
  costUsd: z.number(),
  seconds: z.number(),
  edits: z.int(),
  editsApplied: z.int(),
  editApplyRate: z.number().nullable(),
}) satisfies z.ZodType<StatsFigures>

export const fleetStatsSchema = z.object({
  since: z.iso.datetime(),
  bucket: z.enum(['hour', 'day']),
  total: figuresSchema.meta({description: 'The `pyagent stats` figures of the tasks that ended since `since`'}),
  series: z.array(
    z.object({
      start: z.iso.datetime(),
      queued: z.int().meta({description: 'Tasks waiting at the bucket\'s end (or now)'}),
      running: z.int(),
      ended: z.object(Object.fromEntries(ENDED.map((status) => [status, z.int()])) as Record<(typeof ENDED)[number], z.ZodInt>),
      figures: figuresSchema.meta({description: 'The tasks that ended in this bucket'}),
      stepMs: z.object({count: z.int(), p50: z.number(), p95: z.number()}).nullable().meta({description: 'Steps that started in this bucket: how many, and their median and 95th percentile duration'}),
    }),
  ),
})
export type FleetStats = z.infer<typeof fleetStatsSchema>

const iso = (ms: number) => new Date(ms).toISOString()

function asFigures(task: FleetTaskTimes): TaskFigures {
  return {
    id: task.id,
    role: task.role,
    status: task.status,
    model: null,
    createdAt: iso(task.createdAt),
    seconds: task.startedAt === null || task.finishedAt === null ? 0 : (task.finishedAt - task.startedAt) / 1000,
    steps: task.steps,
    tokens: task.tokens,
    costUsd: task.costUsd,
    edits: task.edits,
    editsApplied: task.editsApplied,
  }
}

/** Nearest rank: a duration that was measured, never one between two. */
function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.max(0, Math.ceil(share * sorted.length) - 1)]!
}

/** A task's state just before `at`: what happened at `at` itself belongs to the next bucket. */
const wasQueued = (task: FleetTaskTimes, at: number) => task.createdAt < at && (task.startedAt === null || task.startedAt >= at) && (task.finishedAt === null || task.finishedAt >= at)
const wasRunning = (task: FleetTaskTimes, at: number) => task.startedAt !== null && task.startedAt < at && (task.finishedAt === null || task.finishedAt >= at)

export async function readFleetStats(store: FleetStore, query: FleetStatsQuery, now = Date.now()): Promise<FleetStats> {
  const width = BUCKET_MS[query.bucket]
  const since = now - query.since
  const first = Math.floor(since / width) * width
  const [tasks, steps] = await Promise.all([store.taskTimes(first), store.stepTimings(first)])
  const series: FleetStats['series'] = []
  for (let start = first; start <= now; start += width) {
    const end = Math.min(start + width, now)
    const endedHere = tasks.filter((task) => task.finishedAt !== null && task.finishedAt >= start && task.finishedAt < start + width)
    const durations = steps
      .filter((step) => step.at >= start && step.at < start + width)
      .map((step) => step.ms)
      .sort((a, b) => a - b)
    series.push({
      start: iso(start),
      queued: tasks.filter((task) => wasQueued(task, end)).length,
      running: tasks.filter((task) => wasRunning(task, end)).length,
      ended: Object.fromEntries(ENDED.map((status) => [status, endedHere.filter((task) => task.status === status).length])) as FleetStats['series'][number]['ended'],
      figures: sumFigures(endedHere.map(asFigures)),
      stepMs: durations.length === 0 ? null : {count: durations.length, p50: percentile(durations, 0.5), p95: percentile(durations, 0.95)},
    })
  }
  const ended = tasks.filter((task) => task.finishedAt !== null && task.finishedAt >= since)
  return {since: iso(since), bucket: query.bucket, total: sumFigures(ended.map(asFigures)), series}
}
