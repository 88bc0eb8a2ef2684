/**
 * `pyagent stats`: how the repository's tasks went since a moment, from its state database:
 * success rate, steps, tokens, cost, time and the share of edits that applied, overall, by a
 * grouping (role, model, day), and day by day for the charts.
 */
import {z} from 'zod'

import {openStateForReading} from '../state/db.js'
import {type TaskFigures, taskFiguresSince} from '../state/stats.js'

export const statsGroupingSchema = z.enum(['role', 'model', 'day'])
export type StatsGrouping = z.infer<typeof statsGroupingSchema>

const UNIT_MS = {m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000} as const

/** A span of time back from now, written as a count and a unit: 30m, 12h, 7d, 2w. */
export const sinceSchema = z
  .string()
  .regex(/^[1-9]\d*[mhdw]$/, 'a count and a unit: m (minutes), h (hours), d (days) or w (weeks), e.g. 7d')
  .transform((text) => Number(text.slice(0, -1)) * UNIT_MS[text.at(-1) as keyof typeof UNIT_MS])

export interface StatsFigures {
  tasks: number
  succeeded: number
  /** Share of the tasks that ended done; null when there were none. */
  successRate: number | null
  steps: number
  tokens: number
  costUsd: number
  seconds: number
  edits: number
  editsApplied: number
  /** Share of the editing tool calls that applied; null when there were none. */
  editApplyRate: number | null
}

export interface StatsGroup extends StatsFigures {
  key: string
}

export interface StatsReport {
  since: string
  by: StatsGrouping | null
  total: StatsFigures
  groups: StatsGroup[]
  /** Every day from the first task's to today's, empty days included, so a chart's gaps are real. */
  daily: StatsGroup[]
}

export function sumFigures(tasks: readonly TaskFigures[]): StatsFigures {
  const add = (pick: (task: TaskFigures) => number) => tasks.reduce((total, task) => total + pick(task), 0)
  const succeeded = tasks.filter((task) => task.status === 'done').length
  const edits = add((task) => task.edits)
  const editsApplied = add((task) => task.editsApplied)
  return {
    tasks: tasks.length,
    succeeded,
    successRate: tasks.length === 0 ? null : succeeded / tasks.length,
    steps: add((task) => task.steps),
    tokens: add((task) => task.tokens),
    costUsd: add((task) => task.costUsd),
    seconds: add((task) => task.seconds),
    edits,
    editsApplied,
    editApplyRate: edits === 0 ? null : editsApplied / edits,
  }
}

const day = (task: TaskFigures) => task.createdAt.slice(0, 10)

const KEYS: Record<StatsGrouping, (task: TaskFigures) => string> = {
  role: (task) => task.role,
  model: (task) => task.model ?? '(no calls)',
  day,
}

function grouped(tasks: readonly TaskFigures[], key: (task: TaskFigures) => string): StatsGroup[] {
  const groups = new Map<string, TaskFigures[]>()
  for (const task of tasks) groups.set(key(task), [...(groups.get(key(task)) ?? []), task])
  return [...groups].map(([name, members]) => ({key: name, ...sumFigures(members)}))
}

function daySeries(tasks: readonly TaskFigures[], now: Date): StatsGroup[] {
  if (tasks.length === 0) return []
  const byDay = new Map(grouped(tasks, day).map((group) => [group.key, group]))
  const series: StatsGroup[] = []
  for (let at = new Date(`${day(tasks[0]!)}T00:00:00Z`); at <= now; at = new Date(at.getTime() + UNIT_MS.d)) {
    const key = at.toISOString().slice(0, 10)
    series.push(byDay.get(key) ?? {key, ...sumFigures([])})
  }
  return series
}

export function readStats(root: string, options: {sinceMs: number; by?: StatsGrouping; now?: Date}): StatsReport {
  const now = options.now ?? new Date()
  const since = new Date(now.getTime() - options.sinceMs).toISOString()
  const db = openStateForReading(root)
  let tasks: TaskFigures[] = []
  try {
    if (db) tasks = taskFiguresSince(db, since)
  } finally {
    db?.close()
  }
  const by = options.by ?? null
  return {since, by, total: sumFigures(tasks), groups: by ? grouped(tasks, KEYS[by]) : [], daily: daySeries(tasks, now)}
}
