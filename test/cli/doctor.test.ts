import {Config} from '@oclif/core'
import {execFileSync} from 'node:child_process'
import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {PACKAGE_ROOT} from '../../src/cli/manifest.js'
import {runDoctor} from '../../src/doctor/checks.js'
import {engineBuildPaths} from '../../src/engine/engine-build.js'
import {registerLocalModel} from '../../src/engine/models.js'
import {runCli} from '../support/cli.js'
import {startOpenAiServer} from '../support/openai-server.js'
import {conflictingBranches, tempDir, tempRepo} from '../support/temp-repo.js'

interface Check {
  name: string
  status: 'ok' | 'warn' | 'fail'
  required: boolean
  detail: string
  fix?: string
}

let server: Server
let baseUrl: string

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/v1/models') {
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify({object: 'list', data: [{id: 'qwen-coder', object: 'model', max_model_len: 32768}]}))
    } else if (request.url === '/health') {
      response.end()
    } else {
      response.statusCode = 404
      response.end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

async function closedPortUrl(): Promise<string> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const {port} = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return `http://127.0.0.1:${port}/v1`
}

function byName(checks: Check[], name: string): Check | undefined {
  return checks.find((check) => check.name === name)
}

describe('pyagent doctor --json', () => {
  it('reports a healthy setup and exits 0 when the endpoint answers', async () => {
    const repo = tempRepo()
    const result = await runCli(['doctor', '--json'], {cwd: repo.root, env: {PYAGENT_BASE_URL: baseUrl}})
    const report = JSON.parse(String(result.stdout)) as {ok: boolean; checks: Check[]}
    expect(result.exitCode).toBe(0)
    expect(report.ok).toBe(true)
    expect(byName(report.checks, 'endpoint')).toMatchObject({status: 'ok', detail: expect.stringContaining('qwen-coder (32768 ctx)')})
    expect(byName(report.checks, 'health')?.status).toBe('ok')
    expect(byName(report.checks, 'native')?.status).toBe('ok')
    expect(byName(report.checks, 'state')?.status).toBe('ok')
    expect(byName(report.checks, 'repository')?.status).toBe('ok')
  })

  it('takes a server without /health (llama.cpp\'s, Ollama\'s) as healthy when /v1/models answers, and shows how PyAgent will talk to it (issue 16)', async () => {
    const bare = await startOpenAiServer({health: false})
    const llamaCpp = await startOpenAiServer({health: false, ownedBy: 'me'})
    try {
      const repo = tempRepo()
      const result = await runCli(['doctor', '--json'], {cwd: repo.root, env: {PYAGENT_BASE_URL: bare.baseUrl}})
      const report = JSON.parse(String(result.stdout)) as {ok: boolean; checks: Check[]}
      expect(byName(report.checks, 'health')).toMatchObject({status: 'ok', detail: expect.stringContaining('a server without /health; a failed endpoint is probed with GET')})
      expect(byName(report.checks, 'capabilities')).toMatchObject({
        status: 'ok',
        detail: 'schemas as structured_outputs (from owned_by vllm); tool calls, falling back to JSON actions if they do not arrive; failures probed with /v1/models',
      })
      const onLlamaCpp = JSON.parse(String((await runCli(['doctor', '--json'], {cwd: repo.root, env: {PYAGENT_BASE_URL: llamaCpp.baseUrl}})).stdout)) as {checks: Check[]}
      expect(byName(onLlamaCpp.checks, 'capabilities')?.detail).toBe(
        'schemas as json_object (from owned_by me); JSON actions (llama.cpp leaves tool-call arguments unconstrained); failures probed with /v1/models',
      )
    } finally {
      bare.close()
      llamaCpp.close()
    }
  })

  it('prints valid JSON and exits 1 when nothing listens on the endpoint and no model is cached', async () => {
    const repo = tempRepo()
    const url = await closedPortUrl()
    const result = await runCli(['doctor', '--json'], {cwd: repo.root, env: {PYAGENT_BASE_URL: url, XDG_CACHE_HOME: tempDir()}})
    const report = JSON.parse(String(result.stdout)) as {ok: boolean; checks: Check[]}
    expect(result.exitCode).toBe(1)
    expect(report.ok).toBe(false)
    const endpoint = byName(report.checks, 'endpoint')
    expect(endpoint).toMatchObject({status: 'fail', required: true})
    expect(endpoint?.detail).toContain('ECONNREFUSED')
    expect(endpoint?.fix).toContain('PYAGENT_BASE_URL')
    expect(endpoint?.fix).toContain('npx pyagent model pull')
    expect(byName(report.checks, 'model')).toMatchObject({status: 'warn', required: false})
    expect(byName(report.checks, 'engine')).toMatchObject({status: 'ok', required: false, detail: expect.stringContaining('no source build')})
  })

  it('only warns, and exits 0, when nothing listens but run can fall back to a cached model', async () => {
    const repo = tempRepo()
    const cache = tempDir()
    repo.write('tiny.gguf', 'GGUF and not much else')
    await registerLocalModel(`${repo.root}/tiny.gguf`, {cacheDir: `${cache}/pyagent/models`})
    const result = await runCli(['doctor', '--json'], {cwd: repo.root, env: {PYAGENT_BASE_URL: await closedPortUrl(), XDG_CACHE_HOME: cache}})
    const report = JSON.parse(String(result.stdout)) as {ok: boolean; checks: Check[]}
    expect(result.exitCode).toBe(0)
    expect(byName(report.checks, 'endpoint')).toMatchObject({status: 'warn', detail: expect.stringContaining('will use the embedded tiny')})
    expect(byName(report.checks, 'model')).toMatchObject({status: 'ok', detail: expect.stringContaining('tiny cached')})
    expect(byName(report.checks, 'engine')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining("prebuilt engine (no OpenMP) generates no faster with two threads"),
      fix: expect.stringContaining('npx pyagent model pull'),
    })
  })

  it('says when the engine build is cached but not yet back in node_modules (after `npm ci`)', async () => {
    const repo = tempRepo()
    const cache = tempDir()
    const paths = engineBuildPaths({XDG_CACHE_HOME: cache})
    mkdirSync(join(paths.cache, 'linux-x64-test', 'Release'), {recursive: true})
    writeFileSync(join(paths.cache, 'build.json'), JSON.stringify({folder: 'linux-x64-test', nodeLlamaCpp: paths.nodeLlamaCpp, cpu: paths.cpu, builtAt: '2026-12-05T19:00:00Z', seconds: 840}))
    const report = await runDoctor({repoRoot: repo.root, env: {PYAGENT_BASE_URL: await closedPortUrl(), XDG_CACHE_HOME: cache}, timeoutMs: 500})
    expect(byName(report.checks, 'engine')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/OpenMP source build of node-llama-cpp [\d.]+, made 2026-12-05 in 14 min; cached in .*, copied back into node_modules when the engine next starts/),
    })
  })

  it('prints valid JSON and exits 1 when the config itself is invalid', async () => {
    const repo = tempRepo()
    const result = await runCli(['doctor', '--json'], {cwd: repo.root, env: {PYAGENT_MAX_STEPS: 'lots'}})
    const report = JSON.parse(String(result.stdout)) as {ok: boolean; checks: Check[]}
    expect(result.exitCode).toBe(1)
    expect(byName(report.checks, 'config')).toMatchObject({status: 'fail', detail: expect.stringContaining('PYAGENT_MAX_STEPS')})
  })
})

describe('runDoctor', () => {
  it('fails the endpoint check when the configured model is not served', async () => {
    const repo = tempRepo()
    const report = await runDoctor({repoRoot: repo.root, env: {PYAGENT_BASE_URL: baseUrl, PYAGENT_MODEL: 'llama'}})
    expect(byName(report.checks, 'endpoint')).toMatchObject({status: 'fail', detail: expect.stringContaining('"llama"')})
  })

  it('only warns outside a git repository, and notices a merge in progress', async () => {
    const plain = await runDoctor({repoRoot: tempDir(), env: {PYAGENT_BASE_URL: baseUrl}})
    expect(byName(plain.checks, 'repository')?.status).toBe('warn')
    expect(plain.ok).toBe(true)

    const repo = conflictingBranches()
    try {
      repo.git('merge', 'other')
    } catch {
      // The conflict is the point: the repository is now mid-merge.
    }
    const merging = await runDoctor({repoRoot: repo.root, env: {PYAGENT_BASE_URL: baseUrl}})
    expect(byName(merging.checks, 'repository')).toMatchObject({status: 'warn', detail: expect.stringContaining('MERGE_HEAD')})
  })
})

describe('help and version', () => {
  it('lists the commands in --help and prints the version', async () => {
    const help = await runCli(['--help'])
    expect(help.exitCode).toBe(0)
    expect(String(help.stdout)).toMatch(/doctor/)
    expect(String(help.stdout)).toMatch(/config/)
    const version = await runCli(['--version'])
    expect(String(version.stdout)).toMatch(/^pyagent\/\d+\.\d+\.\d+ /)
  })

  it("answers --version on the fast path with exactly oclif's own line", async () => {
    const config = await Config.load({root: PACKAGE_ROOT})
    const fast = await runCli(['--version'])
    expect(String(fast.stdout)).toBe(config.userAgent)
  })

  it('shows examples in each command help', async () => {
    const help = await runCli(['doctor', '--help'])
    expect(String(help.stdout)).toMatch(/EXAMPLES[\s\S]*pyagent doctor --json/)
  })
})

describe('doctor on the sandbox', {timeout: 30_000}, () => {
  const sandboxCheck = (output: string) => (JSON.parse(output) as {checks: Check[]}).checks.find((check) => check.name === 'sandbox')!

  it('says when commands run unconfined, and fails when bubblewrap is required but missing', async () => {
    const repo = tempRepo()
    const unconfined = await runCli(['doctor', '--json', '--timeout', '50'], {cwd: repo.root, env: {PYAGENT_BASE_URL: baseUrl, PYAGENT_COMMAND_SANDBOX: 'none'}})
    expect(sandboxCheck(unconfined.stdout)).toMatchObject({status: 'warn', fix: expect.stringContaining('apt-get install bubblewrap')})
    expect(sandboxCheck(unconfined.stdout).detail).toMatch(/unconfined \(commandSandbox=none\)/)

    // A PATH with git and no bwrap: what a machine without bubblewrap has.
    const bin = tempDir('pyagent-bin-')
    symlinkSync(execFileSync('sh', ['-c', 'command -v git'], {encoding: 'utf8'}).trim(), `${bin}/git`)
    const required = await runCli(['doctor', '--json', '--timeout', '50'], {cwd: repo.root, env: {PYAGENT_BASE_URL: baseUrl, PYAGENT_COMMAND_SANDBOX: 'bwrap', PATH: bin}})
    expect(sandboxCheck(required.stdout)).toMatchObject({status: 'fail', required: true})
    const fallback = await runCli(['doctor', '--json', '--timeout', '50'], {cwd: repo.root, env: {PYAGENT_BASE_URL: baseUrl, PYAGENT_COMMAND_SANDBOX: 'auto', PATH: bin}})
    expect(sandboxCheck(fallback.stdout)).toMatchObject({status: 'warn', detail: expect.stringMatching(/unconfined \(commandSandbox=auto, bubblewrap missing or unusable\)/)})
    expect(sandboxCheck(required.stdout).detail).toMatch(/commandSandbox is "bwrap" but bubblewrap is missing/)
    expect(required.exitCode).toBe(1)
  })
})
