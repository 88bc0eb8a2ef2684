/**
 * What the dashboard's charts cost the fleet server: `GET /stats` (every task alive in the span,
 * its steps, edits and step durations, bucketed) against `GET /tasks?limit=100` (the list the
 * dashboard reads every 2 s), on one fleet database of N finished tasks of 20 events each spread
 * over the last 30 days, through fastify's inject (no socket), interleaved, medians of each.
 * Run: `npx tsx bench/dashboard-stats.ts [tasks] [runs]`.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {openFleetStore} from '../src/fleet/store.js'
import {appendFleetEvent, claimNextTask, finishAttempt, submitTask} from '../src/fleet/tasks.js'
import {inProcessApp} from '../test/fleet/in-process.js'

const TASKS = Number(process.argv[2] ?? 2_000)
const RUNS = Number(process.argv[3] ?? 31)
const DAY = 86_400_000

const dir = mkdtempSync(join(tmpdir(), 'pyagent-bench-dashboard-'))
const db = openFleetStore(join(dir, 'fleet.db'))
const now = Date.now()
db.transaction(() => {
  for (let index = 0; index < TASKS; index++) {
    const at = now - 30 * DAY + Math.floor((index / TASKS) * 30 * DAY)
    const task = submitTask(db, {repository: '/srv/repo', task: `task ${index}`, role: 'coder', priority: 'normal', approve: 'edits', budgets: {}}, 3, at)
    const claim = claimNextTask(db, 'bench', at)!
    const fence = {id: task.id, attempt: claim.attempt, worker: claim.worker}
    for (let step = 0; step < 6; step++) {
      appendFleetEvent(db, fence, {type: 'step_started', taskId: 'a', step}, at + step * 4_000)
      appendFleetEvent(db, fence, {type: 'tool_call', taskId: 'a', tool: 'edit', arguments: {}}, at + step * 4_000 + 1_000)
      appendFleetEvent(db, fence, {type: 'tool_result', taskId: 'a', tool: 'edit', status: step % 3 ? 'ok' : 'error'}, at + step * 4_000 + 2_000)
    }
    appendFleetEvent(db, fence, {type: 'task_finished', taskId: 'a', status: 'done', summary: ''}, at + 30_000)
    const status = index % 5 ? 'done' : 'failed'
    finishAttempt(db, fence, {status, exitCode: 0, summary: '', error: null, baseCommit: null, commit: null, patch: null, files: [], tokens: 1_000, costUsd: 0.01}, at + 30_000)
  }
})()

const app = inProcessApp('127.0.0.1', [dir], {path: join(dir, 'fleet.db'), version: 'bench'}).api

const ROUTES = ['/tasks?limit=100', '/stats?since=24h&bucket=hour', '/stats?since=7d&bucket=hour', '/stats?since=30d&bucket=day']

async function timeOnce(url: string): Promise<number> {
  const start = performance.now()
  const answer = await app.inject({method: 'GET', url, headers: {host: '127.0.0.1:7800'}})
  if (answer.statusCode !== 200) throw new Error(`${url}: ${answer.statusCode} ${answer.body}`)
  return performance.now() - start
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const samples: Record<string, number[]> = Object.fromEntries(ROUTES.map((url) => [url, []]))
for (const url of ROUTES) await timeOnce(url)
for (let run = 0; run < RUNS; run++) for (const url of ROUTES) samples[url]!.push(await timeOnce(url))
const baseline = median(samples[ROUTES[0]!]!)
console.log(`dashboard routes on ${TASKS} tasks (${TASKS * 20} events) over 30 days, median of ${RUNS} (node ${process.version})`)
for (const url of ROUTES) console.log(`${url.padEnd(30)} ${median(samples[url]!).toFixed(1).padStart(8)} ms   ${(median(samples[url]!) / baseline).toFixed(2)}x the task list`)
db.close()
rmSync(dir, {recursive: true, force: true})
