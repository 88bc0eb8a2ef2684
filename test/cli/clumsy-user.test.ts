/**
 * What a clumsy user meets (issue 14, defect 10): a file name with a space, a review or a run
 * outside any repository, a damaged config file, a damaged model index. Each gets PyAgent's own
 * words, never a raw SyntaxError or git's usage text.
 */
import {mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {branchyFunction} from '../review/support.js'
import {runCli} from '../support/cli.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'

const unwrapped = (text: string) => text.replaceAll('›', ' ').replace(/\s+/g, ' ')

describe('a clumsy user', {timeout: 60_000}, () => {
  it('sees a file whose name holds a space named exactly, and its complexity checked', async () => {
    const repo = tempRepo({'my file.ts': 'export const x = 1\n'})
    repo.write('my file.ts', branchyFunction('tangled', 20))
    repo.git('add', '-A')
    const result = await runCli(['review', '--staged', '--format', 'json', '--fail-on', 'never'], {cwd: repo.root})
    const findings = (JSON.parse(result.stdout) as {findings: {path: string; ruleId: string}[]}).findings
    expect(findings.length).toBeGreaterThan(0)
    expect(findings.map((finding) => finding.path)).toEqual(findings.map(() => 'my file.ts'))
    expect(findings.some((finding) => finding.ruleId === 'metrics/complexity')).toBe(true)
  })

  it('is told that review and run need a git repository, in PyAgent’s words', async () => {
    const dir = tempDir('pyagent-plain-')
    const review = await runCli(['review', '--staged'], {cwd: dir})
    expect(review.exitCode).toBe(2)
    expect(unwrapped(review.stderr)).toContain('is not inside a git repository')
    expect(review.stderr).not.toContain('unknown option')
    const reviewJson = await runCli(['review', '--staged', '--json'], {cwd: dir})
    expect(reviewJson.exitCode).toBe(2)
    expect(JSON.parse(reviewJson.stdout)).toEqual({error: {code: 'E_REVIEW', message: expect.stringContaining('is not inside a git repository'), exit: 2}})
    const run = await runCli(['run', '--task', 'anything'], {cwd: dir})
    expect(run.exitCode).toBe(1)
    expect(unwrapped(run.stderr)).toMatch(/is not inside a git repository\. PyAgent works on one/)
    const runJson = await runCli(['run', '--json', '--task', 'anything'], {cwd: dir})
    expect(runJson.exitCode).toBe(1)
    expect(JSON.parse(runJson.stdout)).toEqual({error: {code: 'E_GIT_STATE', message: expect.stringContaining('is not inside a git repository'), exit: 1}})
    expect(readdirSync(dir)).toEqual([])
  })

  it('undoes nothing, and creates nothing, where PyAgent never ran', async () => {
    const dir = tempDir('pyagent-plain-')
    const result = await runCli(['undo', 'abcd1234', '--json'], {cwd: dir})
    expect(result.exitCode).toBe(1)
    expect(JSON.parse(result.stdout)).toMatchObject({error: {code: 'E_LOOKUP', message: expect.stringContaining('nothing to undo')}})
    expect(readdirSync(dir)).toEqual([])
  })

  it('is told which config file is damaged when setting a value', async () => {
    const repo = tempRepo()
    repo.write('.pyagent/config.json', '{"model": "x",\n')
    const result = await runCli(['config', 'set', 'maxSteps', '10'], {cwd: repo.root})
    expect(result.exitCode).toBe(1)
    expect(unwrapped(result.stderr)).toContain(`${join(repo.root, '.pyagent', 'config.json')}: not valid JSON`)
    expect(result.stderr).not.toContain('SyntaxError')
  })

  it('is told which setting took a bad value, what it expects, and what was typed', async () => {
    const repo = tempRepo()
    const json = await runCli(['config', 'set', 'prices', '{"qwen3": {inputPerMTok: 1}}', '--json'], {cwd: repo.root})
    expect(json.exitCode).toBe(1)
    const message = (JSON.parse(json.stdout) as {error: {message: string}}).error.message
    expect(message).toContain('prices: the value {"qwen3": {inputPerMTok: 1}} is not valid JSON')
    expect(message).toContain('expected a JSON object')
    const list = await runCli(['config', 'set', 'denyPaths', '[".env", *.pem]'], {cwd: repo.root})
    expect(unwrapped(list.stderr)).toMatch(/denyPaths: .* is not valid JSON .*expected a JSON array or comma-separated values/)
    const number = await runCli(['config', 'set', 'maxSteps', 'eighty'], {cwd: repo.root})
    expect(number.exitCode).toBe(1)
    expect(unwrapped(number.stderr)).toContain('(got "eighty")')
    for (const result of [json, list, number]) expect(result.stderr + result.stdout).not.toMatch(/SyntaxError|got null/)
    expect(repo.git('status', '--porcelain', '--ignored')).not.toContain('config.json')
  })

  it('is told which model index is damaged and what to do', async () => {
    const cache = tempDir('pyagent-cache-')
    mkdirSync(join(cache, 'pyagent', 'models'), {recursive: true})
    writeFileSync(join(cache, 'pyagent', 'models', 'index.json'), '{"version": 1, "models": [')
    const result = await runCli(['model', 'list'], {env: {XDG_CACHE_HOME: cache}})
    expect(result.exitCode).toBe(1)
    expect(unwrapped(result.stderr)).toContain(`The model index ${join(cache, 'pyagent', 'models', 'index.json')} is damaged; delete it and pull again`)
    expect(result.stderr).not.toContain('SyntaxError')
  })
})
