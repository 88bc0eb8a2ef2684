import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {FIXTURE} from '../agent/harness.js'
import {runCli} from '../support/cli.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'
import {editAdd, finish, scriptedByTask, serve} from './support.js'

let model: OpenAiTestServer
beforeAll(async () => {
  model = await startOpenAiServer()
})
afterAll(() => model.close())

describe('pyagent tasks and pyagent apply', {timeout: 120_000}, () => {
  it('submit, follow, list, show and cancel through the CLI; apply brings the change into the working tree and undo takes it out', async () => {
    model.setHandler(scriptedByTask({'TASK-CLI': {steps: [editAdd, finish('add adds')]}}))
    const repo = tempRepo({...FIXTURE, 'test.js': "console.log('all tests pass')\n"})
    const fleet = await serve(model, {workers: 1})
    const cli = (...args: string[]) => runCli([...args, '--server', fleet.url, '--cwd', repo.root], {env: {XDG_CONFIG_HOME: join(fleet.home, 'config')}})

    const submitted = await cli('tasks', 'submit', '--json', '--task', 'TASK-CLI: fix add', '--priority', 'highest', '--max-steps', '8')
    expect(submitted.stderr).toBe('')
    const task = JSON.parse(submitted.stdout as string) as {id: string; priority: string; budgets: unknown; repository: string}
    expect(task).toMatchObject({priority: 'highest', budgets: {maxSteps: 8}, repository: repo.root})

    const followed = await cli('tasks', 'events', task.id, '--json')
    expect(followed.exitCode).toBe(0)
    const lines = (followed.stdout as string).trimEnd().split('\n').map((line) => JSON.parse(line) as {seq?: number; ended?: string})
    expect(lines.at(-1)).toEqual({ended: 'done'})
    expect(lines.slice(0, -1).map((line) => line.seq)).toEqual(lines.slice(0, -1).map((_, index) => index + 1))
    const resumed = await cli('tasks', 'events', task.id, '--after', '3')
    const printed = [...(resumed.stdout as string).matchAll(/^ *(\d+) /gm)].map((match) => Number(match[1]))
    expect(printed.length).toBeGreaterThan(3)
    expect(Math.min(...printed)).toBeGreaterThan(3)
    expect(resumed.stdout).toMatch(/task \S+ done\s*$/)

    expect(JSON.parse((await cli('tasks', 'list', '--json', '--status', 'done')).stdout as string).tasks.map((listed: {id: string}) => listed.id)).toEqual([task.id])
    const shown = await cli('tasks', 'show', task.id, '--patch')
    expect(shown.stdout).toMatch(/\[done\]/)
    expect(shown.stdout).toContain('+  return a + b')
    const cancelled = await cli('tasks', 'cancel', task.id, '--json')
    expect(JSON.parse(cancelled.stdout as string).error.code).toBe('E_FLEET_TASK_STATE')
    expect(cancelled.exitCode).toBe(1)

    const applied = await cli('apply', task.id, '--json')
    expect(applied.exitCode).toBe(0)
    const {txId, files} = JSON.parse(applied.stdout as string) as {txId: string; files: string[]}
    expect(files).toEqual(['src/add.js'])
    expect(readFileSync(join(repo.root, 'src/add.js'), 'utf8')).toContain('a + b')
    expect(repo.git('status', '--porcelain')).toBe(' M src/add.js\n')
    const undone = await runCli(['undo', txId, '--cwd', repo.root])
    expect(undone.exitCode).toBe(0)
    expect(readFileSync(join(repo.root, 'src/add.js'), 'utf8')).toBe(FIXTURE['src/add.js'])
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  it('says with E_FLEET_UNREACHABLE when no server answers, and with E_FLEET_TASK_UNKNOWN when the task is not the server\'s', async () => {
    const repo = tempRepo()
    const down = await runCli(['tasks', 'list', '--json', '--server', 'http://127.0.0.1:9', '--cwd', repo.root])
    expect(JSON.parse(down.stdout as string).error).toMatchObject({code: 'E_FLEET_UNREACHABLE', message: expect.stringContaining('pyagent serve')})
    const fleet = await serve(model, {workers: 1})
    const unknown = await runCli(['apply', '00000000-0000-4000-8000-000000000000', '--json', '--server', fleet.url, '--cwd', repo.root])
    expect(JSON.parse(unknown.stdout as string).error.code).toBe('E_FLEET_TASK_UNKNOWN')
  })
})
