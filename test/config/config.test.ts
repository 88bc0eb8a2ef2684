import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {ConfigError} from '../../src/config/errors.js'
import {loadConfig, repoConfigPath} from '../../src/config/load.js'
import {envVarFor} from '../../src/config/schema.js'
import {setRepoConfigValue} from '../../src/config/store.js'
import {runCli} from '../support/cli.js'
import {tempDir} from '../support/temp-repo.js'

function setup(files: {repo?: unknown; user?: unknown} = {}) {
  const repoRoot = tempDir()
  const userConfigPath = join(tempDir(), 'config.json')
  if (files.repo !== undefined) {
    mkdirSync(join(repoRoot, '.pyagent'))
    writeFileSync(repoConfigPath(repoRoot), typeof files.repo === 'string' ? files.repo : JSON.stringify(files.repo))
  }
  if (files.user !== undefined) {
    writeFileSync(userConfigPath, typeof files.user === 'string' ? files.user : JSON.stringify(files.user))
  }
  return {repoRoot, userConfigPath}
}

function loadError(run: () => unknown): ConfigError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('expected a ConfigError')
}

describe('config precedence', () => {
  it('uses defaults when no source sets a key', () => {
    const {repoRoot, userConfigPath} = setup()
    const {config, origins} = loadConfig({repoRoot, userConfigPath, env: {}})
    expect(config.baseUrl).toBe('http://localhost:8000/v1')
    expect(config.maxSteps).toBe(50)
    expect(origins.maxSteps.kind).toBe('default')
  })

  it('ranks flags > env > repo file > user file > defaults, key by key', () => {
    const {repoRoot, userConfigPath} = setup({
      user: {maxSteps: 1, maxTokens: 1, timeoutSec: 1, model: 'user-model'},
      repo: {maxSteps: 2, maxTokens: 2, timeoutSec: 2},
    })
    const env = {PYAGENT_MAX_STEPS: '3', PYAGENT_MAX_TOKENS: '3'}
    const {config, origins} = loadConfig({repoRoot, userConfigPath, env, flags: {maxSteps: 4}})
    expect(config.maxSteps).toBe(4)
    expect(origins.maxSteps.kind).toBe('flag')
    expect(config.maxTokens).toBe(3)
    expect(origins.maxTokens.kind).toBe('env')
    expect(config.timeoutSec).toBe(2)
    expect(origins.timeoutSec).toEqual({kind: 'repo', label: repoConfigPath(repoRoot)})
    expect(config.model).toBe('user-model')
    expect(origins.model).toEqual({kind: 'user', label: userConfigPath})
  })

  it('parses typed environment values: numbers, booleans, lists as CSV or JSON', () => {
    const {repoRoot, userConfigPath} = setup()
    const env = {
      PYAGENT_MAX_COST_USD: '0.25',
      PYAGENT_AUTO_COMMIT: 'yes',
      PYAGENT_ALLOWED_COMMANDS: 'npm test, make check',
    }
    expect(loadConfig({repoRoot, userConfigPath, env}).config).toMatchObject({
      maxCostUsd: 0.25,
      autoCommit: true,
      allowedCommands: ['npm test', 'make check'],
    })
    const json = loadConfig({repoRoot, userConfigPath, env: {PYAGENT_ALLOWED_COMMANDS: '["a, b", "c"]'}})
    expect(json.config.allowedCommands).toEqual(['a, b', 'c'])
  })

  it('derives each environment variable from its key', () => {
    expect(envVarFor('baseUrl')).toBe('PYAGENT_BASE_URL')
    expect(envVarFor('maxCostUsd')).toBe('PYAGENT_MAX_COST_USD')
  })
})

describe('bad config values name the source, the key and what was expected', () => {
  it('a non-numeric environment variable', () => {
    const {repoRoot, userConfigPath} = setup()
    const error = loadError(() => loadConfig({repoRoot, userConfigPath, env: {PYAGENT_MAX_STEPS: 'many'}}))
    expect(error.message).toContain('PYAGENT_MAX_STEPS')
    expect(error.message).toContain('"maxSteps"')
    expect(error.message).toMatch(/expected number/i)
  })

  it('a negative budget in the repo file', () => {
    const {repoRoot, userConfigPath} = setup({repo: {maxCostUsd: -1}})
    const error = loadError(() => loadConfig({repoRoot, userConfigPath, env: {}}))
    expect(error.message).toContain(repoConfigPath(repoRoot))
    expect(error.message).toContain('"maxCostUsd"')
    expect(error.message).toMatch(/>=0/)
  })

  it('a malformed URL', () => {
    const {repoRoot, userConfigPath} = setup({repo: {baseUrl: 'localhost:8000'}})
    const error = loadError(() => loadConfig({repoRoot, userConfigPath, env: {}}))
    expect(error.message).toContain('"baseUrl"')
    expect(error.message).toMatch(/url/i)
  })

  it('a value of the wrong type', () => {
    const {repoRoot, userConfigPath} = setup({user: {allowedCommands: 'npm test'}})
    const error = loadError(() => loadConfig({repoRoot, userConfigPath, env: {}}))
    expect(error.message).toContain(userConfigPath)
    expect(error.message).toMatch(/expected array/i)
  })

  it('an unknown key, listing the known ones', () => {
    const {repoRoot, userConfigPath} = setup({repo: {maxStep: 3}})
    const error = loadError(() => loadConfig({repoRoot, userConfigPath, env: {}}))
    expect(error.message).toContain('unknown setting "maxStep"')
    expect(error.message).toContain('maxSteps')
  })

  it('a file that is not JSON, or not an object', () => {
    const broken = setup({user: '{"maxSteps": '})
    expect(loadError(() => loadConfig({...broken, env: {}})).message).toMatch(/not valid JSON/)
    const list = setup({repo: '[1, 2]'})
    expect(loadError(() => loadConfig({...list, env: {}})).message).toMatch(/expected a JSON object.*array/)
  })

  it('an invalid flag', () => {
    const {repoRoot, userConfigPath} = setup()
    const error = loadError(() => loadConfig({repoRoot, userConfigPath, env: {}, flags: {maxSteps: 0}}))
    expect(error.message).toContain('flag --maxSteps')
  })
})

describe('config set', () => {
  it('validates, then writes the repo file, keeping other keys', () => {
    const {repoRoot} = setup({repo: {model: 'kept'}})
    expect(setRepoConfigValue(repoRoot, 'maxSteps', '12')).toBe(12)
    expect(JSON.parse(readFileSync(repoConfigPath(repoRoot), 'utf8'))).toEqual({model: 'kept', maxSteps: 12})
  })

  it('leaves the file untouched when the value is invalid', () => {
    const {repoRoot} = setup()
    expect(() => setRepoConfigValue(repoRoot, 'maxSteps', 'twelve')).toThrow(ConfigError)
    expect(() => setRepoConfigValue(repoRoot, 'nope', '1')).toThrow(/unknown setting "nope"/)
    expect(existsSync(repoConfigPath(repoRoot))).toBe(false)
  })

  it('round-trips through the CLI with --json', async () => {
    const {repoRoot} = setup()
    const set = await runCli(['config', 'set', 'baseUrl', 'http://127.0.0.1:9/v1', '--json'], {cwd: repoRoot})
    expect(set.exitCode).toBe(0)
    const got = await runCli(['config', 'get', 'baseUrl', '--json'], {cwd: repoRoot})
    expect(JSON.parse(String(got.stdout))).toEqual({
      key: 'baseUrl',
      value: 'http://127.0.0.1:9/v1',
      source: repoConfigPath(repoRoot),
    })
    const bad = await runCli(['config', 'set', 'maxSteps', '-3'], {cwd: repoRoot})
    expect(bad.exitCode).toBe(1)
    expect(String(bad.stderr)).toContain('"maxSteps"')
    const listed = await runCli(['config', 'list', '--json'], {cwd: repoRoot, env: {PYAGENT_MAX_STEPS: '7'}})
    const settings = JSON.parse(String(listed.stdout)).settings as {key: string; value: unknown; source: string}[]
    expect(settings.find((setting) => setting.key === 'maxSteps')).toMatchObject({value: 7, source: 'environment'})
  })
})
