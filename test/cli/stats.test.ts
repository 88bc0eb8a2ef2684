import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {FIXTURE} from '../agent/harness.js'
import {runCli} from '../support/cli.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo, type TempRepo} from '../support/temp-repo.js'

const tool = (name: string, args: object) => ({type: 'completion' as const, toolCalls: [{name, arguments: JSON.stringify(args)}]})
const approve = {type: 'completion' as const, text: JSON.stringify({verdict: 'approve', feedback: 'good'})}

let server: OpenAiTestServer
beforeAll(async () => {
  server = await startOpenAiServer()
})
afterAll(() => server.close())

/** Two real runs of `pyagent run` on the scripted model: one fixes both bugs, one tries an edit that cannot apply, then its model fails. */
async function repoWithTwoRuns(): Promise<TempRepo> {
  const repo = tempRepo(FIXTURE)
  repo.write('.pyagent/config.json', JSON.stringify({testCommand: 'node test.js', actionProtocol: 'tools', prices: {'test-model': {inputPerMTok: 2, outputPerMTok: 4}}}))
  const env = {PYAGENT_BASE_URL: server.baseUrl, PYAGENT_MAX_RETRIES: '0'}
  server.enqueue(
    tool('edit', {path: 'src/add.js', edits: [{search: 'a - b', replace: 'a + b'}]}),
    tool('edit', {path: 'src/greet.js', edits: [{search: "'hi '", replace: "'hello '"}]}),
    tool('finish', {summary: 'fixed both'}),
    approve,
  )
  const fixed = await runCli(['run', '--json', '--task', 'Fix add and greet', '--cwd', repo.root], {env})
  expect(fixed.exitCode, fixed.stderr).toBe(0)
  server.enqueue(tool('edit', {path: 'src/add.js', edits: [{search: 'a * b', replace: 'a / b'}]}), {type: 'error', status: 400, message: 'the model is gone'})
  const failed = await runCli(['run', '--json', '--task', 'Make add divide', '--role', 'cost', '--cwd', repo.root], {env})
  expect(failed.exitCode, failed.stderr).not.toBe(0)
  return repo
}

describe('pyagent stats', {timeout: 120_000}, () => {
  it('adds up success, steps, tokens, cost, time and the edits that applied, groups them by role and model, and draws them', async () => {
    const repo = await repoWithTwoRuns()
    const result = await runCli(['stats', '--json', '--cwd', repo.root])
    expect(result.exitCode, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.by).toBeNull()
    expect(report.total).toMatchObject({tasks: 2, succeeded: 1, successRate: 0.5, steps: 5, edits: 3, editsApplied: 2})
    expect(report.total.editApplyRate).toBeCloseTo(2 / 3)
    expect(report.total.tokens).toBeGreaterThan(0)
    expect(report.total.costUsd).toBeGreaterThan(0)
    expect(report.total.seconds).toBeGreaterThan(0)
    expect(report.daily.at(-1)).toMatchObject({key: new Date().toISOString().slice(0, 10), tasks: 2})

    const byRole = JSON.parse((await runCli(['stats', '--json', '--by', 'role', '--cwd', repo.root])).stdout)
    expect(byRole.groups.map((group: {key: string}) => group.key).sort()).toEqual(['coder', 'cost'])
    expect(byRole.groups.find((group: {key: string}) => group.key === 'coder')).toMatchObject({tasks: 1, succeeded: 1, steps: 3, edits: 2, editsApplied: 2})
    const byModel = JSON.parse((await runCli(['stats', '--json', '--by', 'model', '--cwd', repo.root])).stdout)
    expect(byModel.groups).toEqual([expect.objectContaining({key: 'test-model', tasks: 2})])

    const text = await runCli(['stats', '--by', 'role', '--cwd', repo.root])
    expect(text.exitCode, text.stderr).toBe(0)
    const lines = text.stdout.split('\n')
    expect(lines.find((line) => line.startsWith('all '))).toMatch(/^all\s+2\s+50%\s+5\s+[\d,]+\s+\$[\d.]+\s+[\d.]+[smh]\s+67% \(2\/3\)$/)
    expect(text.stdout).toContain('success rate:')
    expect(lines.find((line) => /^\s+coder\s+█+\s+100%$/.test(line))).toBeDefined()
    expect(lines.find((line) => /^\s+tasks\s+[▁-█]+$/.test(line))).toBeDefined()
  })

  it('says so when nothing ran in the window, and refuses a --since it cannot read', async () => {
    const empty = tempRepo(FIXTURE)
    expect((await runCli(['stats', '--cwd', empty.root])).stdout).toContain('No finished tasks since')
    const wrong = await runCli(['stats', '--since', 'yesterday', '--cwd', empty.root])
    expect(wrong.exitCode).toBe(1)
    expect(wrong.stderr).toContain('--since yesterday: a count and a unit')
  })
})
