import {describe, expect, it} from 'vitest'

import {sandboxRunner} from '../../src/app/services.js'
import {configSchema} from '../../src/config/schema.js'
import {tempRepo} from '../support/temp-repo.js'

describe('the command runner behind the agent', () => {
  const config = configSchema.parse({allowedCommands: ['git status'], commandSandbox: 'none'})

  it('checks an allow-listed command against the allow-list itself, so the agent cannot widen it', async () => {
    const repo = tempRepo()
    await expect(sandboxRunner(config).run(['git', 'log'], {cwd: repo.root, timeoutMs: 5000, source: 'allow-list'})).rejects.toMatchObject({
      code: 'E_COMMAND_REFUSED',
    })
    const allowed = await sandboxRunner(config).run(['git', 'status'], {cwd: repo.root, timeoutMs: 5000, source: 'allow-list'})
    expect(allowed.exitCode).toBe(0)
  })

  it('runs a command a person approved, or the declared test command, though the list lacks it', async () => {
    const repo = tempRepo()
    for (const source of ['approved', 'declared'] as const) {
      const result = await sandboxRunner(config).run(['git', 'log', '--oneline'], {cwd: repo.root, timeoutMs: 5000, source})
      expect(result.exitCode).toBe(0)
    }
  })
})
