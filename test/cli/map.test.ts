/** `pyagent map` as a user runs it: the built CLI, a real repository, its state database as the cache. */
import {existsSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'

const FILES = {
  'src/retry.ts': 'export function retryWithBackoff(attempts: number): number {\n  return attempts\n}\n',
  'src/client.ts': 'export function fetchUser(): number {\n  return retryWithBackoff(3)\n}\n',
  'src/metrics.ts': 'export function recordLatency(ms: number): void {\n  console.log(ms)\n}\n',
  'src/server.ts': 'export function serve(): void {\n  recordLatency(retryWithBackoff(1))\n}\n',
}

interface MapJson {
  text: string
  tokens: number
  tokenBudget: number
  files: string[]
  definitions: {path: string; name: string; line: number; rank: number}[]
  stats: {files: number; cached: number; parsed: number}
}

describe('pyagent map', {timeout: 60_000}, () => {
  it('prints the map as JSON, within the budget, and reuses the cache the second time', async () => {
    const repo = tempRepo(FILES)
    const first = await runCli(['map', '--json', '--task', 'why is recordLatency slow', '--tokens', '60', '--cwd', repo.root])
    expect(first.exitCode, first.stderr).toBe(0)
    const map = JSON.parse(first.stdout) as MapJson
    expect(map.tokenBudget).toBe(60)
    expect(map.tokens).toBeGreaterThan(0)
    expect(map.tokens).toBeLessThanOrEqual(60)
    expect(map.text).toContain('src/retry.ts:\n1│export function retryWithBackoff(attempts: number): number {')
    expect(map.definitions.map((definition) => definition.name)).toContain('recordLatency')
    expect(map.stats).toMatchObject({files: 4, parsed: 4, cached: 0})
    expect(existsSync(join(repo.root, '.pyagent', 'state.db'))).toBe(true)

    const second = JSON.parse((await runCli(['map', '--json', '--task', 'why is recordLatency slow', '--tokens', '60'], {cwd: repo.root})).stdout) as MapJson
    expect(second.stats).toMatchObject({parsed: 0, cached: 4})
    expect(second.text).toBe(map.text)
  })

  it('prints the map alone on stdout, and what it indexed on stderr', async () => {
    const repo = tempRepo(FILES)
    const result = await runCli(['map'], {cwd: repo.root})
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/^src\/\w+\.ts:\n\d+│/)
    expect(result.stderr).toMatch(/definitions from \d+ files, \d+ of 1024 tokens; 4 source files indexed \(0 from the cache, 4 parsed\)/)
  })

  it('maps a folder outside git without creating anything in it, and says the cache was not kept', async () => {
    const dir = tempDir('pyagent-plain-')
    writeFileSync(join(dir, 'lib.py'), 'def helper():\n    pass\n')
    const result = await runCli(['map', '--json', '--cwd', dir])
    expect(result.exitCode).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({
      text: 'lib.py:\n1│def helper():\n',
      stats: {files: 1, parsed: 1},
      cacheUnavailable: expect.stringContaining('not in a git repository'),
    })
    expect(readdirSync(dir)).toEqual(['lib.py'])
  })

  it('fails with E_MAP for a directory that does not exist', async () => {
    const missing = join(tempDir(), 'missing')
    const result = await runCli(['map', '--json', '--cwd', missing])
    expect(result.exitCode).toBe(1)
    expect(JSON.parse(result.stdout)).toEqual({error: {code: 'E_MAP', message: expect.stringContaining('is not a directory'), exit: 1}})
    expect(existsSync(missing)).toBe(false)
  })
})
