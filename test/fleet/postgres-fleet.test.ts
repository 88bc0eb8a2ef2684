import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {FIXTURE} from '../agent/harness.js'
import {runCli} from '../support/cli.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {freePort} from '../support/free-port.js'
import {PG_PASSWORD, type PostgresCluster, postgresBinaries, startPostgres} from '../support/postgres.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'
import {childrenOf} from './processes.js'
import {editAdd, editGreet, finish, readEvents, scriptedByTask, serve, slow, startFleetProcess, tool, waitFor} from './support.js'

const bin = postgresBinaries()
let cluster: PostgresCluster
let model: OpenAiTestServer
beforeAll(async () => {
  model = await startOpenAiServer()
  if (bin) cluster = await startPostgres(bin)
}, 120_000)
afterAll(async () => {
  await model.close()
  await cluster?.stop()
})

const repository = () => tempRepo({...FIXTURE, 'test.js': "console.log('all tests pass')\n"})

/** A server with no workers of its own and two worker hosts, as on three machines, sharing one fresh database. */
async function fleetOnPostgres(options: {hosts?: number} = {}) {
  const url = cluster.url(await cluster.createDatabase())
  const server = await serve(model, {workers: 0, database: url})
  const hosts = []
  for (let index = 0; index < (options.hosts ?? 2); index++) hosts.push(await startFleetProcess(model, ['worker', '--json', '--concurrency', '1', '--database', url]))
  return {url, server, hosts}
}

describe.skipIf(!bin)('the fleet on PostgreSQL: pyagent serve --database postgres://… and pyagent worker', {timeout: 180_000}, () => {
  it("a worker host given --server sends its LLM requests through the server's endpoint pool, not to the endpoint of its own config", async () => {
    model.setHandler(scriptedByTask({'PG-POOL': {steps: [editAdd, finish('add adds')]}}))
    const nobody = await startOpenAiServer()
    await nobody.close()
    const repo = repository()
    const url = cluster.url(await cluster.createDatabase())
    const server = await serve(model, {workers: 0, database: url})
    // Its own config names an endpoint nothing listens on: only the server's pool can answer.
    await startFleetProcess(model, ['worker', '--json', '--concurrency', '1', '--database', url, '--server', server.url], {env: {PYAGENT_BASE_URL: nobody.baseUrl}})
    const {body} = await server.api('POST', '/tasks', {body: {repository: repo.root, task: 'PG-POOL: make add add'}})
    expect((await readEvents(server.url, body.id)).ended).toBe('done')
    const endpoints = (await server.api('GET', '/endpoints')).body.endpoints as {requests: number}[]
    expect(endpoints[0]!.requests).toBeGreaterThan(0)
    const refused = await runCli(['worker', '--database', url, '--server', 'fleet.internal:7800'])
    expect(refused.exitCode).not.toBe(0)
    expect(refused.stderr).toContain('--server fleet.internal:7800 is not the fleet server')
  })

  it('two worker hosts run two tasks at once; the server streams events they record, and Last-Event-ID resumes without loss or repeat', async () => {
    model.setHandler(
      scriptedByTask({
        'PG-ADD': {steps: [slow(tool('read_file', {path: 'src/add.js'}), 30), slow(editAdd, 30), finish('add adds')]},
        'PG-GREET': {steps: [slow(editGreet, 30), finish('greet says hello')]},
      }),
    )
    const repo = repository()
    const head = repo.git('rev-parse', 'HEAD').trim()
    const {server, hosts} = await fleetOnPostgres()
    expect(JSON.parse(hosts[0]!.line)).toMatchObject({concurrency: 1, database: expect.stringContaining(':***@127.0.0.1')})
    expect(server.output()).not.toContain(PG_PASSWORD)
    const ids: string[] = []
    for (const task of ['PG-ADD: make add add', 'PG-GREET: make greet say hello']) ids.push((await server.api('POST', '/tasks', {body: {repository: repo.root, task}})).body.id)
    const workers = await waitFor('both tasks running at once', async () => {
      const running = (await server.api('GET', '/tasks?status=running')).body.tasks as {worker: string}[]
      return running.length === 2 ? running.map((task) => task.worker) : undefined
    })
    expect(new Set(workers).size).toBe(2)
    const first = await readEvents(server.url, ids[0]!, {stopAfter: 3})
    expect(first.events.map((event) => event.id)).toEqual([1, 2, 3])
    const rest = await readEvents(server.url, ids[0]!, {lastEventId: 3})
    expect(rest.ended).toBe('done')
    const whole = await readEvents(server.url, ids[0]!)
    expect([...first.events, ...rest.events]).toEqual(whole.events)
    expect(whole.events.map((event) => event.id)).toEqual(whole.events.map((_, index) => index + 1))
    expect(whole.events.at(-1)!.event.type).toBe('attempt_ended')
    expect((await readEvents(server.url, ids[1]!)).ended).toBe('done')
    for (const [id, file] of [[ids[0]!, 'src/add.js'], [ids[1]!, 'src/greet.js']] as const) {
      const task = (await server.api('GET', `/tasks/${id}`)).body
      expect(task).toMatchObject({status: 'done', attempts: 1, baseCommit: head, files: [file]})
      expect(repo.git('rev-parse', `pyagent/${id}`).trim()).toBe(task.commit)
    }
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  it('a worker SIGKILLed mid-task: after its heartbeat lapses the task is retried from a fresh worktree and finishes exactly once', async () => {
    model.setHandler(scriptedByTask({'PG-KILL': (attempt) => ({steps: attempt === 1 ? [slow(editAdd, 1_000)] : [editAdd, finish('add adds')]})}))
    const repo = repository()
    const {server, hosts} = await fleetOnPostgres()
    const {body: task} = await server.api('POST', '/tasks', {body: {repository: repo.root, task: 'PG-KILL: fix add'}})
    const claimed = await waitFor('a worker to claim the task', async () => {
      const shown = (await server.api('GET', `/tasks/${task.id}`)).body
      return shown.status === 'running' ? (shown.worker as string) : undefined
    })
    await waitFor('the model to be asked', async () => (model.chatRequests().some((request) => JSON.stringify(request.body).includes('PG-KILL')) ? true : undefined))
    // Which host holds it is up to the queue: kill the worker processes of both (one of them runs the task, the other idles).
    const victims = hosts.flatMap((host) => childrenOf(host.process.pid!))
    expect(victims.length).toBe(2)
    for (const pid of victims) process.kill(pid, 'SIGKILL')
    const ended = await readEvents(server.url, task.id)
    expect(ended.ended).toBe('done')
    const shown = (await server.api('GET', `/tasks/${task.id}`)).body
    expect(shown).toMatchObject({status: 'done', attempts: 2, files: ['src/add.js']})
    expect(shown.worker).not.toBe(claimed)
    const types = ended.events.map((event) => `${event.attempt}:${event.event.type}`)
    expect(types).toContain('1:attempt_lapsed')
    expect(types.filter((type) => type.endsWith(':attempt_ended'))).toEqual(['2:attempt_ended'])
    expect(types.filter((type) => type.endsWith(':committed'))).toEqual(['2:committed'])
    expect(repo.git('rev-list', '--count', `HEAD..pyagent/${task.id}`).trim()).toBe('1')
    const metrics = (await server.api('GET', '/metrics')).body as string
    expect(metrics).toMatch(/pyagent_fleet_tasks\{status="done"\} 1/)
  })

  it('cancel reaches the worker on another machine: the run stops, nothing is committed, the branch is gone', async () => {
    model.setHandler(scriptedByTask({'PG-CANCEL': {steps: [editAdd, slow(finish('never gets here'), 2_000)]}}))
    const repo = repository()
    const head = repo.git('rev-parse', 'HEAD').trim()
    const {server} = await fleetOnPostgres({hosts: 1})
    const {body: task} = await server.api('POST', '/tasks', {body: {repository: repo.root, task: 'PG-CANCEL: fix add'}})
    const askedAfterTheEdit = (request: {body: any}) =>
      JSON.stringify(request.body).includes('PG-CANCEL') && request.body.messages.some((message: {role: string}) => message.role === 'assistant')
    await waitFor('the model to be asked after the edit was staged', async () => (model.chatRequests().some(askedAfterTheEdit) ? true : undefined))
    expect((await server.api('POST', `/tasks/${task.id}/cancel`)).status).toBe(202)
    const ended = await readEvents(server.url, task.id)
    expect(ended.ended).toBe('cancelled')
    expect((await server.api('GET', `/tasks/${task.id}`)).body).toMatchObject({status: 'cancelled', commit: null, patch: null, attempts: 1})
    expect(repo.git('branch', '--list', 'pyagent/*')).toBe('')
    expect(repo.git('rev-parse', 'HEAD').trim()).toBe(head)
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  it('refuses a bad URL, an unreachable database and a wrong password with a clear error, the password masked everywhere', async () => {
    const database = await cluster.createDatabase()
    const home = tempDir()
    const cases: [string, string][] = [
      [cluster.url(database, 'wrong-password-123'), 'E_FLEET_DATABASE_AUTH'],
      [`postgres://pyagent:${PG_PASSWORD}@127.0.0.1:${await freePort()}/fleet`, 'E_FLEET_DATABASE_UNREACHABLE'],
      [`postgres://pyagent:${PG_PASSWORD}@127.0.0.1:70000/fleet`, 'E_FLEET_DATABASE_URL'],
      [`postgres://pyagent:${PG_PASSWORD}@127.0.0.1/`, 'E_FLEET_DATABASE_URL'],
    ]
    for (const [url, code] of cases) {
      for (const args of [['worker', '--database', url], ['serve', '--port', '0', '--database', url]]) {
        const answer = await runCli([...args, '--json'], {cwd: home, env: {XDG_DATA_HOME: home}})
        expect({args: args[0], code: JSON.parse(answer.stdout as string).error.code, exit: answer.exitCode}).toEqual({args: args[0], code, exit: 1})
        expect(`${answer.stdout}${answer.stderr}`).not.toMatch(/wrong-password-123|a-test-password/)
      }
    }
    const sqlite = await runCli(['worker', '--json', '--database', '/tmp/fleet.db'])
    expect(JSON.parse(sqlite.stdout as string).error.code).toBe('E_FLEET_REQUEST')
  })
})
