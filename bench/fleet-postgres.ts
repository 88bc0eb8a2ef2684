/**
 * The fleet on PostgreSQL under fire: a server with no workers of its own, two `pyagent worker`
 * hosts (one worker process each) on a throwaway cluster, tasks on the scripted model, and one
 * host's worker SIGKILLed mid-task again and again (default 20 times). Then every task must have
 * ended exactly once: none lost (queued or running), none finished twice, no attempt's events
 * after a later attempt's, one commit per task that is done. Before the kills, the same tasks run
 * without them, for the cost of a kill as a ratio in the same run.
 *   npx tsx bench/fleet-postgres.ts [kills=20] [tasks=40]
 */
import {execa, type ResultPromise} from 'execa'
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {childrenOf, fleetEnv} from '../test/fleet/processes.js'
import {startOpenAiServer, type RecordedRequest, type Reply} from '../test/support/openai-server.js'
import {postgresBinaries, startPostgres} from '../test/support/postgres.js'

const kills = Number(process.argv[2] ?? 20)
const taskCount = Number(process.argv[3] ?? 40)
const BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const bin = postgresBinaries()
if (!bin) throw new Error('PostgreSQL is not installed: apt-get install postgresql')

const edit: Reply = {type: 'completion', toolCalls: [{name: 'edit', arguments: JSON.stringify({path: 'src/add.js', edits: [{search: 'a - b', replace: 'a + b'}]})}], tokenDelayMs: 30, deltaChars: 4} as Reply
const finish: Reply = {type: 'completion', toolCalls: [{name: 'finish', arguments: JSON.stringify({summary: 'add adds'})}]} as Reply
const script = (request: RecordedRequest): Reply => {
  const body = request.body as {messages: {role: string}[]; tools?: unknown[]}
  if (!body.tools) return {type: 'completion', text: JSON.stringify({verdict: 'approve', feedback: 'good'})} as Reply
  return body.messages.some((message) => message.role === 'assistant') ? finish : edit
}

const work = mkdtempSync(join(tmpdir(), 'pyagent-bench-fleet-pg-'))
const repo = join(work, 'repo')
const files: Record<string, string> = {
  'src/add.js': 'export function add(a, b) {\n  return a - b\n}\n',
  'test.js': "import {add} from './src/add.js'\nif (add(2, 3) !== 5) process.exit(1)\nconsole.log('all tests pass')\n",
  'package.json': '{"type": "module"}\n',
}
for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(join(repo, path)), {recursive: true})
  writeFileSync(join(repo, path), text)
}
const git = (...args: string[]) => execFileSync('git', args, {cwd: repo, encoding: 'utf8'})
git('init', '-q', '-b', 'main')
git('-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'add', '.')
git('-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'commit', '-qm', 'fixture')

const model = await startOpenAiServer({onChat: script})
const cluster = await startPostgres(bin)
const children: ResultPromise[] = []

function start(args: string[], home: string): Promise<{child: ResultPromise; line: string}> {
  const child = execa(process.execPath, [BIN, ...args], {
    cwd: home,
    env: fleetEnv(model.baseUrl, home, {PYAGENT_FLEET_MAX_ATTEMPTS: '10'}),
    reject: false,
    stdin: 'ignore',
    buffer: false,
  })
  children.push(child)
  child.stderr!.pipe(process.stderr)
  return new Promise((resolve, reject) => {
    let seen = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      if (seen.includes('\n')) resolve({child, line: seen.split('\n')[0]!})
    })
    void child.then((result) => reject(new Error(`pyagent ${args[0]} exited (${result.exitCode})`)))
  })
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const ENDED = new Set(['done', 'failed', 'cancelled', 'interrupted'])

interface Task {
  id: string
  status: string
  attempts: number
  worker: string | null
  commit: string | null
  error: string | null
}

async function round(kill: number): Promise<{seconds: number; tasks: Task[]; events: Map<string, {seq: number; attempt: number; event: {type: string}}[]>; killed: number}> {
  const database = await cluster.createDatabase()
  const url = cluster.url(database)
  const server = await start(['serve', '--json', '--port', '0', '--workers', '0', '--database', url], mkdtempSync(join(work, 'server-')))
  const api = JSON.parse(server.line).url as string
  const victim = await start(['worker', '--json', '--concurrency', '1', '--database', url], mkdtempSync(join(work, 'victim-')))
  const victimPrefix = `${JSON.parse(victim.line).name}-`
  await start(['worker', '--json', '--concurrency', '1', '--database', url], mkdtempSync(join(work, 'steady-')))
  const get = async <T>(path: string): Promise<T> => (await (await fetch(api + path)).json()) as T
  const started = performance.now()
  const ids: string[] = []
  for (let index = 0; index < taskCount; index++) {
    const response = await fetch(`${api}/tasks`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({repository: repo, task: `BENCH-${index}: fix add`})})
    ids.push(((await response.json()) as {id: string}).id)
  }
  let killed = 0
  const dead = new Set<string>()
  while (killed < kill) {
    // Both hosts busy: the victim's one worker process is mid-task.
    const running = (await get<{tasks: Task[]}>('/tasks?status=running&limit=500')).tasks
    const pids = childrenOf(victim.child.pid!)
    // A task of a worker already killed shows as running until its claim lapses: only a live worker's task counts.
    const held = running.find((task) => task.worker?.startsWith(victimPrefix) && !dead.has(task.worker))
    if (held && pids.length === 1) {
      await pause(Math.random() * 600)
      // Still the same attempt of the same task: the kill lands mid-task.
      const now = await get<Task>(`/tasks/${held.id}`)
      if (now.status !== 'running' || now.worker !== held.worker) continue
      process.kill(pids[0]!, 'SIGKILL')
      dead.add(held.worker!)
      killed++
      // The host replaces it after half a second; wait for the new one before the next kill.
      while (childrenOf(victim.child.pid!).length === 0 || childrenOf(victim.child.pid!)[0] === pids[0]) await pause(100)
    } else if ((await get<{tasks: Task[]}>('/tasks?limit=500')).tasks.every((task) => ENDED.has(task.status))) {
      throw new Error(`all tasks ended after ${killed} kills: give more tasks`)
    } else {
      await pause(100)
    }
  }
  for (;;) {
    const tasks = (await get<{tasks: Task[]}>('/tasks?limit=500')).tasks
    if (tasks.length === ids.length && tasks.every((task) => ENDED.has(task.status))) break
    await pause(250)
  }
  const seconds = (performance.now() - started) / 1000
  const tasks = await Promise.all(ids.map((id) => get<Task>(`/tasks/${id}`)))
  const events = new Map<string, {seq: number; attempt: number; event: {type: string}}[]>()
  for (const id of ids) {
    const text = await (await fetch(`${api}/tasks/${id}/events`)).text()
    events.set(id, [...text.matchAll(/^data: (.*)$/gm)].map((match) => JSON.parse(match[1]!)).filter((event) => event.seq !== undefined))
  }
  for (const child of children.splice(0)) {
    child.kill('SIGTERM')
    await child
  }
  return {seconds, tasks, events, killed}
}

function check(tasks: Task[], events: Map<string, {seq: number; attempt: number; event: {type: string}}[]>, total: number): {done: number; interrupted: number; retried: number} {
  if (tasks.length !== total) throw new Error(`${total - tasks.length} tasks lost`)
  for (const task of tasks) {
    const own = events.get(task.id)!
    if (!ENDED.has(task.status)) throw new Error(`task ${task.id} did not end: ${task.status}`)
    const ended = own.filter((event) => event.event.type === 'attempt_ended')
    const committed = own.filter((event) => event.event.type === 'committed')
    if (task.status === 'done' && (ended.length !== 1 || committed.length !== 1 || ended[0]!.attempt !== task.attempts)) {
      throw new Error(`task ${task.id} ended ${ended.length} times, committed ${committed.length} times`)
    }
    if (task.status === 'done' && git('rev-list', '--count', `main..pyagent/${task.id}`).trim() !== '1') throw new Error(`task ${task.id}: not exactly one commit on its branch`)
    for (let index = 1; index < own.length; index++) {
      if (own[index]!.seq !== index + 1) throw new Error(`task ${task.id}: event numbers have a gap or a repeat`)
      if (own[index]!.attempt < own[index - 1]!.attempt) throw new Error(`task ${task.id}: attempt ${own[index - 1]!.attempt} wrote after attempt ${own[index]!.attempt} began`)
    }
  }
  return {
    done: tasks.filter((task) => task.status === 'done').length,
    failed: tasks.filter((task) => task.status === 'failed').length,
    interrupted: tasks.filter((task) => task.status === 'interrupted').length,
    retried: tasks.filter((task) => task.attempts > 1).length,
  }
}

try {
  const calm = await round(0)
  const calmCounts = check(calm.tasks, calm.events, taskCount)
  for (const task of calm.tasks) git('branch', '-q', '-D', `pyagent/${task.id}`)
  const fire = await round(kills)
  const fireCounts = check(fire.tasks, fire.events, taskCount)
  for (const task of [...calm.tasks, ...fire.tasks].filter((found) => found.status !== 'done')) console.log(`${task.id} ${task.status} after ${task.attempts} attempts: ${task.error}`)
  console.table({
    'without kills': {tasks: taskCount, kills: 0, ...calmCounts, lost: 0, duplicated: 0, seconds: Number(calm.seconds.toFixed(1)), 'tasks/s': Number((taskCount / calm.seconds).toFixed(2))},
    'one worker SIGKILLed mid-task': {tasks: taskCount, kills: fire.killed, ...fireCounts, lost: 0, duplicated: 0, seconds: Number(fire.seconds.toFixed(1)), 'tasks/s': Number((taskCount / fire.seconds).toFixed(2))},
  })
  console.log(`time with ${fire.killed} kills / without: ${(fire.seconds / calm.seconds).toFixed(2)}×`)
} finally {
  for (const child of children) child.kill('SIGKILL')
  await model.close()
  await cluster.stop()
  rmSync(work, {recursive: true, force: true})
}
