/**
 * The fleet in embedded mode (one SQLite file, worker processes), measured in one run against
 * the scripted model of test/support/openai-server.ts, on tiny repositories (a file to fix and a
 * one-line test), each task a whole `pyagent run` in its own worktree: an edit, the test, the
 * review, the commit on pyagent/<id>.
 *
 * 1. Submit: N tasks POSTed by C concurrent clients to `pyagent serve` while its workers run them,
 *    against the same requests to a bare fastify route (another process, same machine): submit
 *    p50/p99 and submits/s. Then every task must end exactly once: done, one attempt, one
 *    attempt_ended event, one commit on its branch.
 * 2. Workers: the same batch of tasks run with 1, 2 and 4 workers: tasks/s and the ratio to one.
 * 3. SIGKILL: the server killed K times while one of its workers runs a task (its workers lose it
 *    and stop), restarted on the same database, three more tasks queued each round; after each
 *    restart no task is lost or duplicated, and at the end every task is done (one commit) or
 *    interrupted/cancelled (no branch), with no worktree left behind.
 * 4. SSE: S clients on one task's stream get every event in order; a tenth of them drop the
 *    connection mid-task and reconnect with Last-Event-ID, and miss nothing nor see anything twice.
 *
 * Run: `npx tsx bench/fleet.ts [--tasks 1000] [--clients 50] [--batch 40] [--kills 20] [--sse 200]` after `npm run build`.
 */
import Database from 'better-sqlite3'
import {execa, type ResultPromise} from 'execa'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {parseArgs} from 'node:util'

import {fleetEventSchema} from '../src/fleet/schemas.js'
import {SseFrames} from '../src/fleet/sse.js'
import {fleetEnv} from '../test/fleet/processes.js'
import {BIN} from '../test/support/cli.js'
import {freePort} from '../test/support/free-port.js'
import {type RecordedRequest, type Reply, startOpenAiServer} from '../test/support/openai-server.js'

const {values: options} = parseArgs({
  options: {
    tasks: {type: 'string', default: '1000'},
    clients: {type: 'string', default: '50'},
    batch: {type: 'string', default: '40'},
    kills: {type: 'string', default: '20'},
    sse: {type: 'string', default: '200'},
    only: {type: 'string'},
  },
})
const TASKS = Number(options.tasks)
const CLIENTS = Number(options.clients)
const BATCH = Number(options.batch)
const KILLS = Number(options.kills)
const SSE_CLIENTS = Number(options.sse)
const runs = (part: string) => options.only === undefined || options.only.split(',').includes(part)

const WORK = mkdtempSync(join(tmpdir(), 'pyagent-bench-fleet-'))
const REPOSITORIES = 4

const FILES: Record<string, string> = {
  'src/add.js': 'export function add(a, b) {\n  return a - b\n}\n',
  'test.js': "import {add} from './src/add.js'\nif (add(2, 3) !== 5) process.exit(1)\n",
  'package.json': '{"type": "module"}\n',
}

async function tinyRepository(index: number): Promise<string> {
  const root = join(WORK, `repo-${index}`)
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(root, path)), {recursive: true})
    writeFileSync(join(root, path), text)
  }
  await execa('git', ['init', '-q', '-b', 'main'], {cwd: root})
  await execa('git', ['add', '-A'], {cwd: root})
  await execa('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-qm', 'fixture'], {cwd: root})
  await execa('git', ['config', 'user.name', 'bench'], {cwd: root})
  await execa('git', ['config', 'user.email', 'bench@example.com'], {cwd: root})
  return root
}

const tool = (name: string, args: object, extra: Partial<Reply> = {}): Reply => ({type: 'completion', toolCalls: [{name, arguments: JSON.stringify(args)}], ...extra}) as Reply
const EDIT = tool('edit', {path: 'src/add.js', edits: [{search: 'a - b', replace: 'a + b'}]})
const FINISH = tool('finish', {summary: 'add adds'})
const READ = (delayMs: number) => tool('read_file', {path: 'src/add.js'}, {tokenDelayMs: delayMs, deltaChars: 4} as Partial<Reply>)

/** Every task: edit, finish; the reviewer approves. The SSE task reads the file ten times, slowly, first. */
function scripted(request: RecordedRequest): Reply {
  const body = request.body as {messages: {role: string}[]; tools?: unknown[]}
  if (!body.tools) return {type: 'completion', text: JSON.stringify({verdict: 'approve', feedback: 'good'})}
  const step = body.messages.filter((message) => message.role === 'assistant').length
  const steps = JSON.stringify(body.messages).includes('SSE-TASK') ? [...Array.from({length: 10}, () => READ(40)), EDIT, FINISH] : [EDIT, FINISH]
  return steps[Math.min(step, steps.length - 1)]!
}

const model = await startOpenAiServer({onChat: scripted})

interface Fleet {
  url: string
  database: string
  child: ResultPromise
}

async function startFleet(home: string, workers: number, port = 0): Promise<Fleet> {
  mkdirSync(home, {recursive: true})
  const database = join(home, 'fleet.db')
  const child = execa(process.execPath, [BIN, 'serve', '--json', '--port', String(port), '--workers', String(workers), '--database', database], {
    cwd: home,
    env: fleetEnv(model.baseUrl, home, {PYAGENT_FLEET_HEARTBEAT_SEC: '0.5', PYAGENT_FLEET_LAPSE_SEC: '3', PYAGENT_FLEET_REPOSITORY_ROOTS: WORK}),
    reject: false,
    stdin: 'ignore',
    stderr: 'inherit',
    buffer: false,
  })
  const line = await new Promise<string>((resolve, reject) => {
    let seen = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      if (seen.includes('\n')) resolve(seen.split('\n')[0]!)
    })
    void child.then((result) => reject(new Error(`pyagent serve exited (${String(result.exitCode ?? result.signal ?? result.message)}) before listening`)))
  })
  return {url: (JSON.parse(line) as {url: string}).url, database, child}
}

async function stopFleet(fleet: Fleet): Promise<void> {
  fleet.child.kill('SIGTERM')
  await fleet.child
}

async function post(url: string, body: unknown): Promise<{status: number; id?: string; ms: number}> {
  const started = performance.now()
  const response = await fetch(`${url}/tasks`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)})
  const answer = (await response.json()) as {id?: string}
  return {status: response.status, id: answer.id, ms: performance.now() - started}
}

/** `count` requests by `clients` concurrent clients, each sending its next as soon as the last was answered. */
async function submitAll(url: string, count: number, clients: number, body: (index: number) => unknown) {
  let next = 0
  const answers: {status: number; id?: string; ms: number}[] = []
  const started = performance.now()
  await Promise.all(
    Array.from({length: clients}, async () => {
      for (let index = next++; index < count; index = next++) answers.push(await post(url, body(index)))
    }),
  )
  const seconds = (performance.now() - started) / 1000
  const latencies = answers.map((answer) => answer.ms).sort((a, b) => a - b)
  const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!
  return {answers, seconds, perSecond: count / seconds, p50: quantile(0.5), p99: quantile(0.99)}
}

/** A bare fastify route in a process of its own: parse the JSON body, answer 201 with an id. */
async function bareFastify(): Promise<{url: string; stop(): Promise<void>}> {
  const script = `
    const {default: Fastify} = await import('fastify')
    const {randomUUID} = await import('node:crypto')
    const app = Fastify({logger: false})
    app.post('/tasks', async (request, reply) => reply.status(201).send({id: randomUUID(), ...request.body}))
    await app.listen({host: '127.0.0.1', port: 0})
    console.log(JSON.stringify({url: 'http://127.0.0.1:' + app.server.address().port}))
  `
  const child = execa(process.execPath, ['--input-type=module', '-e', script], {cwd: process.cwd(), reject: false, buffer: false, stdin: 'ignore'})
  const line = await new Promise<string>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString())))
  return {url: (JSON.parse(line) as {url: string}).url, stop: async () => (child.kill('SIGTERM'), void (await child))}
}

interface TaskRow {
  id: string
  status: string
  attempts: number
  commit_sha: string | null
  repository: string
}

function readStore(database: string) {
  const db = new Database(database, {readonly: true, fileMustExist: true})
  try {
    const tasks = db.prepare('SELECT id, status, attempts, commit_sha, repository FROM fleet_tasks').all() as TaskRow[]
    const ended = db.prepare("SELECT task_id, COUNT(*) AS n FROM fleet_events WHERE json_extract(event, '$.type') = 'attempt_ended' GROUP BY task_id").all() as {task_id: string; n: number}[]
    return {tasks, endedEvents: new Map(ended.map((row) => [row.task_id, row.n]))}
  } finally {
    db.close()
  }
}

async function untilAllEnded(database: string, count: number, timeoutMs: number): Promise<number> {
  const started = performance.now()
  for (;;) {
    const {tasks} = readStore(database)
    if (tasks.length >= count && tasks.every((task) => !['queued', 'running'].includes(task.status))) return (performance.now() - started) / 1000
    if (performance.now() - started > timeoutMs) throw new Error(`tasks still queued or running after ${timeoutMs / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** Whether a worker of this server runs a task (per /health), waiting up to `timeoutMs` for one to. */
async function busyWorker(url: string, timeoutMs = 30_000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const health = (await (await fetch(`${url}/health`)).json()) as {workers: {task: string | null}[]}
    if (health.workers.some((worker) => worker.task !== null)) return true
    if (performance.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function branchCommits(repository: string, branch: string): Promise<number> {
  const result = await execa('git', ['rev-list', '--count', `main..${branch}`], {cwd: repository, reject: false})
  return result.exitCode === 0 ? Number(result.stdout.trim()) : 0
}

async function repositoryLeftovers(repository: string): Promise<{worktrees: number; branches: string[]}> {
  const worktrees = (await execa('git', ['worktree', 'list', '--porcelain'], {cwd: repository})).stdout.match(/^worktree /gm)?.length ?? 0
  const branches = (await execa('git', ['branch', '--list', 'pyagent/*', '--format=%(refname:short)'], {cwd: repository})).stdout.split('\n').filter(Boolean)
  return {worktrees: worktrees - 1, branches}
}

const repositories = await Promise.all(Array.from({length: REPOSITORIES}, (_, index) => tinyRepository(index)))
const taskBody = (index: number) => ({repository: repositories[index % REPOSITORIES], task: `Make add add (task ${index})`})
const report: Record<string, unknown> = {machine: {cores: (await import('node:os')).cpus().length, load: (await import('node:os')).loadavg()[0]}}

/** Checks every task ended exactly once: done, one attempt_ended event, one commit on its branch. */
async function exactlyOnce(database: string, submitted: string[]) {
  const {tasks, endedEvents} = readStore(database)
  const byId = new Map(tasks.map((task) => [task.id, task]))
  const lost = submitted.filter((id) => !byId.has(id)).length
  const notDone = tasks.filter((task) => task.status !== 'done').length
  const twiceEnded = tasks.filter((task) => endedEvents.get(task.id) !== 1).length
  let wrongCommits = 0
  for (const task of tasks) if ((await branchCommits(task.repository, `pyagent/${task.id}`)) !== 1) wrongCommits++
  return {tasks: tasks.length, lost, notDone, endedOtherThanOnce: twiceEnded, branchesWithoutExactlyOneCommit: wrongCommits}
}

try {
  if (runs('submit')) {
    const bare = await bareFastify()
    const bareRun = await submitAll(bare.url, TASKS, CLIENTS, taskBody)
    await bare.stop()
    const home = join(WORK, 'submit')
    const fleet = await startFleet(home, 4)
    const fleetRun = await submitAll(fleet.url, TASKS, CLIENTS, taskBody)
    const refused = fleetRun.answers.filter((answer) => answer.status !== 201).length
    const submitted = fleetRun.answers.flatMap((answer) => (answer.id ? [answer.id] : []))
    const drained = await untilAllEnded(fleet.database, TASKS, 3_600_000)
    await stopFleet(fleet)
    const total = fleetRun.seconds + drained
    report.submit = {
      tasks: TASKS,
      clients: CLIENTS,
      refused,
      fleet: {submitsPerSecond: fleetRun.perSecond, p50Ms: fleetRun.p50, p99Ms: fleetRun.p99},
      bareFastify: {submitsPerSecond: bareRun.perSecond, p50Ms: bareRun.p50, p99Ms: bareRun.p99},
      ratio: {submitsPerSecond: fleetRun.perSecond / bareRun.perSecond, p50: fleetRun.p50 / bareRun.p50, p99: fleetRun.p99 / bareRun.p99},
      run: {workers: 4, seconds: total, tasksPerSecond: TASKS / total},
      exactlyOnce: await exactlyOnce(fleet.database, submitted),
    }
    console.log(JSON.stringify({submit: report.submit}))
  }

  if (runs('workers')) {
    const byWorkers: Record<number, {seconds: number; tasksPerSecond: number}> = {}
    for (const workers of [1, 2, 4]) {
      const home = join(WORK, `workers-${workers}`)
      const fleet = await startFleet(home, workers)
      const started = performance.now()
      const submitted = await submitAll(fleet.url, BATCH, 4, taskBody)
      await untilAllEnded(fleet.database, BATCH, 3_600_000)
      const seconds = (performance.now() - started) / 1000
      await stopFleet(fleet)
      const check = await exactlyOnce(fleet.database, submitted.answers.flatMap((answer) => (answer.id ? [answer.id] : [])))
      if (check.lost + check.notDone + check.endedOtherThanOnce + check.branchesWithoutExactlyOneCommit > 0) throw new Error(`workers=${workers}: ${JSON.stringify(check)}`)
      byWorkers[workers] = {seconds, tasksPerSecond: BATCH / seconds}
    }
    report.workers = {tasks: BATCH, byWorkers, speedup: {2: byWorkers[2]!.tasksPerSecond / byWorkers[1]!.tasksPerSecond, 4: byWorkers[4]!.tasksPerSecond / byWorkers[1]!.tasksPerSecond}}
    console.log(JSON.stringify({workers: report.workers}))
  }

  if (runs('kill')) {
    const home = join(WORK, 'kill')
    const port = await freePort()
    let fleet = await startFleet(home, 2, port)
    const submitted = (await submitAll(fleet.url, BATCH, 4, taskBody)).answers.flatMap((answer) => (answer.id ? [answer.id] : []))
    const afterRestart: {lost: number; duplicated: number; running: number}[] = []
    let killedWhileRunning = 0
    for (let kill = 0; kill < KILLS; kill++) {
      // Fresh work each round, so that every kill can land while a worker of this server runs a task.
      for (let index = 0; index < 3; index++) submitted.push((await post(fleet.url, taskBody(submitted.length))).id!)
      await busyWorker(fleet.url)
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 1_500))
      if (await busyWorker(fleet.url, 0)) killedWhileRunning++
      fleet.child.kill('SIGKILL')
      await fleet.child
      fleet = await startFleet(home, 2, port)
      const {tasks, endedEvents} = readStore(fleet.database)
      const ids = new Set(tasks.map((task) => task.id))
      afterRestart.push({
        lost: submitted.filter((id) => !ids.has(id)).length,
        duplicated: tasks.length - ids.size + [...endedEvents.values()].filter((n) => n > 1).length,
        running: tasks.filter((task) => task.status === 'running').length,
      })
    }
    await untilAllEnded(fleet.database, submitted.length, 3_600_000)
    await stopFleet(fleet)
    const {tasks, endedEvents} = readStore(fleet.database)
    const outcomes: Record<string, number> = {}
    for (const task of tasks) outcomes[task.status] = (outcomes[task.status] ?? 0) + 1
    let doneWithoutOneCommit = 0
    let endedWithBranch = 0
    for (const task of tasks) {
      const commits = await branchCommits(task.repository, `pyagent/${task.id}`)
      if (task.status === 'done' && commits !== 1) doneWithoutOneCommit++
      if (task.status !== 'done' && commits !== 0) endedWithBranch++
    }
    // Workers of the killed servers still alive a few seconds after the last one stopped: orphans.
    await new Promise((resolve) => setTimeout(resolve, 5_000))
    const orphans = (await execa('ps', ['-eo', 'args'])).stdout.split('\n').filter((args) => args.includes('worker.js') && args.includes(fleet.database)).length
    const leftovers = await Promise.all(repositories.map(repositoryLeftovers))
    const worktreeDir = join(dirname(fleet.database), 'worktrees')
    report.kill = {
      kills: KILLS,
      killedWhileAWorkerRanATask: killedWhileRunning,
      tasks: submitted.length,
      outcomes,
      attempts: tasks.reduce((sum, task) => sum + task.attempts, 0),
      lostAfterAnyRestart: Math.max(...afterRestart.map((check) => check.lost)),
      duplicatedAfterAnyRestart: Math.max(...afterRestart.map((check) => check.duplicated)),
      endedOtherThanOnce: tasks.filter((task) => (endedEvents.get(task.id) ?? 0) > 1).length,
      doneWithoutExactlyOneCommit: doneWithoutOneCommit,
      notDoneButBranchLeft: endedWithBranch,
      workersLeftAlive: orphans,
      worktreesLeft: leftovers.reduce((sum, left) => sum + left.worktrees, 0) + (existsSync(worktreeDir) ? readdirSync(worktreeDir).length : 0),
    }
    console.log(JSON.stringify({kill: report.kill}))
  }

  if (runs('sse')) {
    const home = join(WORK, 'sse')
    const fleet = await startFleet(home, 1)
    const {id} = (await post(fleet.url, {repository: repositories[0], task: 'SSE-TASK: read the file, then make add add'})) as {id: string}
    const reconnecting = Math.floor(SSE_CLIENTS / 10)
    const clients = await Promise.all(
      Array.from({length: SSE_CLIENTS}, (_, index) => followEvents(fleet.url, id, index < reconnecting ? 2 + (index % 5) : undefined)),
    )
    const whole = (await followEvents(fleet.url, id, undefined)).seqs
    await stopFleet(fleet)
    const same = (seqs: number[]) => seqs.length === whole.length && seqs.every((seq, index) => seq === whole[index])
    report.sse = {
      clients: SSE_CLIENTS,
      reconnectingClients: reconnecting,
      events: whole.length,
      inOrder: whole.every((seq, index) => seq === index + 1),
      clientsWithEveryEventInOrder: clients.filter((client) => same(client.seqs)).length,
      reconnectedClientsWithEveryEventOnce: clients.slice(0, reconnecting).filter((client) => client.reconnected && same(client.seqs)).length,
      endedDone: clients.filter((client) => client.ended === 'done').length,
    }
    console.log(JSON.stringify({sse: report.sse}))
  }
} finally {
  await model.close()
  rmSync(WORK, {recursive: true, force: true})
}

/** Reads a task's stream to its end; with `dropAfter`, drops the connection after that many events and resumes with Last-Event-ID. */
async function followEvents(url: string, id: string, dropAfter: number | undefined): Promise<{seqs: number[]; ended: string | undefined; reconnected: boolean}> {
  const seqs: number[] = []
  let ended: string | undefined
  let reconnected = false
  for (let drop = dropAfter; ended === undefined; drop = undefined) {
    const controller = new AbortController()
    const response = await fetch(`${url}/tasks/${id}/events`, {headers: seqs.length > 0 ? {'last-event-id': String(seqs.at(-1))} : {}, signal: controller.signal})
    reconnected ||= seqs.length > 0
    const frames = new SseFrames()
    const decoder = new TextDecoder()
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        for (const frame of frames.push(decoder.decode(chunk, {stream: true}))) {
          if (frame.event === 'end') ended = (JSON.parse(frame.data) as {status: string}).status
          else if (frame.data) seqs.push(fleetEventSchema.parse(JSON.parse(frame.data)).seq)
          if (drop !== undefined && seqs.length >= drop) controller.abort()
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error
    }
  }
  return {seqs, ended, reconnected}
}

console.log(JSON.stringify(report, null, 2))
