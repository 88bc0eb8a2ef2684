import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {FIXTURE} from '../agent/harness.js'
import {BIN, runCli} from '../support/cli.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'
import {editAdd, finish, scriptedByTask, serve, slow, tool, waitFor} from './support.js'

let model: OpenAiTestServer
beforeAll(async () => {
  model = await startOpenAiServer()
})
afterAll(() => model.close())

const repository = () => tempRepo({...FIXTURE, 'test.js': "console.log('all tests pass')\n"})
const lines = (stdout: unknown) => (stdout as string).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, any>)

describe('the fleet CLI: submit, tasks, logs, cancel, apply', {timeout: 180_000}, () => {
  it('submit, logs, tasks (filtered), tasks show and cancel; apply brings the change into the working tree and undo takes it out', async () => {
    model.setHandler(scriptedByTask({'TASK-CLI': {steps: [editAdd, finish('add adds')]}}))
    const repo = repository()
    const fleet = await serve(model, {workers: 1})
    const cli = (...args: string[]) => runCli([...args, '--server', fleet.url, '--cwd', repo.root], {env: {XDG_CONFIG_HOME: join(fleet.home, 'config')}})

    const submitted = await cli('submit', '--json', '--task', 'TASK-CLI: fix add', '--priority', 'highest', '--max-steps', '8')
    expect(submitted.stderr).toBe('')
    const task = JSON.parse(submitted.stdout as string) as {id: string; priority: string; budgets: unknown; repository: string}
    expect(task).toMatchObject({priority: 'highest', budgets: {maxSteps: 8}, repository: repo.root})

    const followed = await cli('logs', '-f', task.id, '--json')
    expect(followed.exitCode).toBe(0)
    const events = lines(followed.stdout)
    expect(events.at(-1)).toEqual({status: 'done'})
    expect(events.slice(0, -1).map((line) => line.seq)).toEqual(events.slice(0, -1).map((_, index) => index + 1))
    expect(lines((await cli('logs', task.id, '--after', '3', '--json')).stdout)).toEqual(events.slice(3))
    const resumed = await cli('logs', task.id, '--after', '3')
    const printed = [...(resumed.stdout as string).matchAll(/^ *(\d+) /gm)].map((match) => Number(match[1]))
    expect(printed.length).toBeGreaterThan(3)
    expect(printed).toEqual([...printed].sort((a, b) => a - b))
    expect(Math.min(...printed)).toBeGreaterThan(3)
    expect(resumed.stdout).toMatch(/task \S+: done\s*$/)

    const odd = JSON.parse((await cli('submit', '--json', '--task=--upload-pack=evil\nsecond line', '--priority', 'low')).stdout as string) as {id: string; task: string}
    expect(odd.task).toBe('--upload-pack=evil\nsecond line')

    const listed = async (...filters: string[]) => (JSON.parse((await cli('tasks', '--json', ...filters)).stdout as string).tasks as {id: string}[]).map((found) => found.id)
    expect(await listed('--status', 'done')).toEqual([task.id])
    expect(await listed('--priority', 'low')).toEqual([odd.id])
    expect(await listed('--status', 'running')).toEqual([])
    expect(await listed('--priority', 'highest', '--repository', repo.root)).toEqual([task.id])
    expect(await listed('--repository', '/elsewhere')).toEqual([])
    const shown = await cli('tasks', 'show', task.id, '--patch')
    expect(shown.stdout).toMatch(/\[done\]/)
    expect(shown.stdout).toContain('+  return a + b')
    const cancelled = await cli('cancel', task.id, '--json')
    expect(JSON.parse(cancelled.stdout as string).error.code).toBe('E_FLEET_TASK_STATE')
    expect(cancelled.exitCode).toBe(1)

    const applied = await cli('apply', task.id, '--json')
    expect(applied.exitCode).toBe(0)
    const {txId, files} = JSON.parse(applied.stdout as string) as {txId: string; files: string[]}
    expect(files).toEqual(['src/add.js'])
    expect(readFileSync(join(repo.root, 'src/add.js'), 'utf8')).toContain('a + b')
    const undone = await runCli(['undo', txId, '--cwd', repo.root])
    expect(undone.exitCode).toBe(0)
    expect(readFileSync(join(repo.root, 'src/add.js'), 'utf8')).toBe(FIXTURE['src/add.js'])
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  it('submit --wait follows the task and exits with run\'s codes: 0 done, 2 a budget ran out, 130 cancelled', async () => {
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const scripts = scriptedByTask({
      'TASK-DONE': {steps: [editAdd, finish('add adds')]},
      'TASK-BUDGET': {steps: [tool('read_file', {path: 'src/add.js'})]},
      'TASK-HELD': {steps: [tool('read_file', {path: 'src/add.js'})]},
    })
    model.setHandler(async (request) => {
      if (JSON.stringify(request.body).includes('TASK-HELD')) await held
      return scripts(request)
    })
    const repo = repository()
    const fleet = await serve(model, {workers: 2})
    const env = {XDG_CONFIG_HOME: join(fleet.home, 'config')}
    const submit = (...args: string[]) => runCli(['submit', '--wait', '--server', fleet.url, '--cwd', repo.root, ...args], {env})

    const done = await submit('--json', '--task', 'TASK-DONE: fix add')
    expect(done.exitCode).toBe(0)
    const output = lines(done.stdout)
    expect(output[0]).toMatchObject({status: 'queued'})
    expect(output.at(-1)).toMatchObject({status: 'done', exitCode: 0, files: ['src/add.js']})
    expect(output.at(-1)).not.toHaveProperty('patch')
    expect(output.slice(1, -1).map((line) => line.seq)).toEqual(output.slice(1, -1).map((_, index) => index + 1))

    const budget = await submit('--task', 'TASK-BUDGET: read forever', '--max-steps', '1')
    expect(budget.exitCode).toBe(2)
    expect(budget.stdout).toMatch(/task \S+ failed/)

    const waiting = execa(process.execPath, [BIN, 'submit', '--wait', '--json', '--server', fleet.url, '--cwd', repo.root, '--task', 'TASK-HELD: wait'], {env, reject: false, stdin: 'ignore', buffer: true})
    const id = await waitFor('the held task to be asked for', async () => {
      const {body} = await fleet.api('GET', '/tasks?status=running')
      return (body.tasks as {id: string; task: string}[]).find((task) => task.task.startsWith('TASK-HELD'))?.id
    })
    await waitFor('the model to be asked', async () => (model.chatRequests().some((request) => JSON.stringify(request.body).includes('TASK-HELD')) ? true : undefined))
    expect((await runCli(['cancel', id, '--server', fleet.url, '--cwd', repo.root], {env})).exitCode).toBe(0)
    release()
    const cancelled = await waiting
    expect(cancelled.exitCode).toBe(130)
    expect(lines(cancelled.stdout).at(-1)).toMatchObject({id, status: 'cancelled'})
  })

  it('logs -f survives the server being SIGKILLed and restarted: it reconnects with Last-Event-ID and prints every event once, in order', async () => {
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const scripts = scriptedByTask({'TASK-RESTART': (attempt) => ({steps: attempt === 1 ? [tool('read_file', {path: 'src/add.js'}), slow(editAdd, 10)] : [editAdd, finish('add adds')]})})
    model.setHandler(async (request) => {
      const body = request.body as {messages: {role: string}[]}
      const firstAttemptSecondStep = JSON.stringify(body).includes('TASK-RESTART') && body.messages.filter((message) => message.role === 'assistant').length === 1
      if (firstAttemptSecondStep) await held
      return scripts(request)
    })
    const repo = repository()
    const first = await serve(model, {workers: 1})
    const port = Number(new URL(first.url).port)
    const env = {XDG_CONFIG_HOME: join(first.home, 'config')}
    const {body: task} = await first.api('POST', '/tasks', {body: {repository: repo.root, task: 'TASK-RESTART: fix add'}})
    const follower = execa(process.execPath, [BIN, 'logs', '-f', task.id, '--json', '--server', first.url, '--cwd', repo.root], {env, reject: false, stdin: 'ignore'})
    let seen = ''
    follower.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
    })
    await waitFor('the follower to print the first attempt\'s tool call', async () => (seen.includes('"tool_call"') ? true : undefined))
    first.process.kill('SIGKILL')
    await first.process
    release()
    await serve(model, {workers: 1, home: first.home, port})
    const result = await follower
    expect(result.exitCode).toBe(0)
    const events = lines(result.stdout)
    expect(events.at(-1)).toEqual({status: 'done'})
    const seqs = events.slice(0, -1).map((line) => line.seq as number)
    expect(seqs).toEqual(Array.from({length: seqs.length}, (_, index) => index + 1))
    const types = events.slice(0, -1).map((line) => `${line.attempt}:${line.event.type}`)
    expect(types).toContain('1:attempt_lapsed')
    expect(types.filter((type) => type.endsWith(':attempt_ended'))).toEqual(['2:attempt_ended'])
  })

  it('says what is wrong: no server (and how to start one), a token needed or refused, an unknown task', async () => {
    const repo = tempRepo()
    const down = await runCli(['tasks', '--json', '--server', 'http://127.0.0.1:9', '--cwd', repo.root])
    expect(JSON.parse(down.stdout as string).error).toMatchObject({code: 'E_FLEET_UNREACHABLE', message: expect.stringContaining('pyagent serve')})
    const downText = await runCli(['submit', '--task', 'x', '--server', 'http://127.0.0.1:9', '--cwd', repo.root])
    expect(downText.exitCode).toBe(1)
    expect(downText.stderr.replace(/\s+›\s+/g, ' ')).toContain('Start one with `pyagent serve`')

    const noTask = await runCli(['submit', '--server', 'http://127.0.0.1:9', '--cwd', repo.root])
    expect({exit: noTask.exitCode, said: noTask.stderr}).toEqual({exit: 1, said: expect.stringContaining('Give the task with --task')})

    const wide = await serve(model, {workers: 1, args: ['--host', '0.0.0.0']})
    const url = `http://127.0.0.1:${new URL(wide.url).port}`
    const noToken = await runCli(['tasks', '--json', '--server', url, '--cwd', repo.root], {env: {XDG_CONFIG_HOME: join(repo.root, 'no-config')}})
    expect(JSON.parse(noToken.stdout as string).error).toMatchObject({code: 'E_FLEET_UNAUTHORIZED', message: expect.stringMatching(/needs its bearer token, and this machine has none in .*fleet-token/)})
    const otherConfig = join(repo.root, 'other-config')
    const {ensureFleetToken, fleetTokenPath} = await import('../../src/fleet/token.js')
    ensureFleetToken(fleetTokenPath({XDG_CONFIG_HOME: otherConfig}))
    const wrongToken = await runCli(['tasks', '--json', '--server', url, '--cwd', repo.root], {env: {XDG_CONFIG_HOME: otherConfig}})
    expect(JSON.parse(wrongToken.stdout as string).error).toMatchObject({code: 'E_FLEET_UNAUTHORIZED', message: expect.stringContaining('refused the bearer token in')})
    const withToken = await runCli(['tasks', '--json', '--server', url, '--cwd', repo.root], {env: {XDG_CONFIG_HOME: join(wide.home, 'config')}})
    expect(JSON.parse(withToken.stdout as string)).toEqual({tasks: []})

    const fleet = await serve(model, {workers: 1})
    const unknownIds = [['apply', '00000000-0000-4000-8000-000000000000'], ['cancel', 'not-a-task'], ['logs', '-f', '../../etc'], ['tasks', 'show', '00000000-0000-4000-8000-000000000000']]
    for (const command of unknownIds) {
      const unknown = await runCli([...command, '--json', '--server', fleet.url, '--cwd', repo.root])
      expect(JSON.parse(unknown.stdout as string).error, command.join(' ')).toMatchObject({code: 'E_FLEET_TASK_UNKNOWN', message: expect.stringContaining('`pyagent tasks`')})
    }
  })
})
