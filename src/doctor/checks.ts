/**
 * `pyagent doctor`: each check says what it found and, when it fails, what to do.
 * Checks never throw: a broken environment is the very thing doctor must report.
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {loadConfig} from '../config/load.js'
import type {Config} from '../config/schema.js'
import {engineBuildPaths, engineBuildState, PREBUILT_COST} from '../engine/engine-build.js'
import {findModel, modelCacheDir, type ModelEntry} from '../engine/models.js'
import {isLlamaCppServer, rememberedAt, type ServerCapabilities, structuredOutputsForm} from '../llm/index.js'
import {nativeVersion} from '../native.js'
import {openStateForReading, type StateDb} from '../state/db.js'
import {REPAIR_COMMAND} from '../state/errors.js'
import {stateDbPath} from '../state/paths.js'
import {checkStateHealth} from '../state/repair.js'
import {useSandbox} from '../workspace/command-runner.js'
import {gitAt} from '../workspace/git.js'

export type CheckStatus = 'ok' | 'warn' | 'fail'

export interface CheckResult {
  name: string
  status: CheckStatus
  /** A failed required check makes doctor exit 1; an optional one only warns. */
  required: boolean
  detail: string
  fix?: string
}

export interface DoctorReport {
  ok: boolean
  checks: CheckResult[]
}

export interface DoctorOptions {
  repoRoot: string
  env?: NodeJS.ProcessEnv
  /** Per HTTP probe of the endpoint. */
  timeoutMs?: number
}

const MIN_NODE_MAJOR = 20

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function checkNode(): CheckResult {
  const major = Number(process.versions.node.split('.')[0])
  return major >= MIN_NODE_MAJOR
    ? {name: 'node', status: 'ok', required: true, detail: `Node ${process.versions.node}`}
    : {
        name: 'node',
        status: 'fail',
        required: true,
        detail: `Node ${process.versions.node} is older than ${MIN_NODE_MAJOR}`,
        fix: `Install Node ${MIN_NODE_MAJOR} or newer`,
      }
}

function checkNative(): CheckResult {
  try {
    return {name: 'native', status: 'ok', required: true, detail: `pyagent-native ${nativeVersion()} loaded`}
  } catch (error) {
    return {name: 'native', status: 'fail', required: true, detail: errorText(error), fix: 'Run `npm run build:native`'}
  }
}

function checkState(repoRoot: string): CheckResult {
  const path = stateDbPath(repoRoot)
  const health = checkStateHealth(path)
  switch (health.status) {
    case 'absent':
      return {name: 'state', status: 'ok', required: true, detail: `${path} does not exist yet; the first task creates it`}
    case 'ok':
      return {name: 'state', status: 'ok', required: true, detail: `${path} at schema v${health.schemaVersion}, integrity ok`}
    case 'damaged':
      return {name: 'state', status: 'fail', required: true, detail: health.error.message, fix: `Run \`${REPAIR_COMMAND}\``}
    case 'unusable':
      return {name: 'state', status: 'fail', required: true, detail: health.error.message, fix: `Check that ${join(repoRoot, '.pyagent')} is writable and not from a newer PyAgent`}
  }
}

async function checkGit(repoRoot: string): Promise<CheckResult[]> {
  const git = gitAt(repoRoot)
  let version: string
  try {
    const found = await git.version()
    if (!found.installed) throw new Error('git is not on PATH')
    version = `${found.major}.${found.minor}.${found.patch}`
  } catch (error) {
    return [{name: 'git', status: 'fail', required: true, detail: errorText(error), fix: 'Install git and put it on PATH'}]
  }
  const results: CheckResult[] = [{name: 'git', status: 'ok', required: true, detail: `git ${version}`}]
  if (!(await git.checkIsRepo())) {
    results.push({
      name: 'repository',
      status: 'warn',
      required: false,
      detail: `${repoRoot} is not a git repository: edits can be undone by PyAgent but not reviewed with git`,
      fix: 'Run `git init` or run PyAgent inside a repository',
    })
    return results
  }
  const gitDir = (await git.revparse(['--absolute-git-dir'])).trim()
  const inProgress = ['MERGE_HEAD', 'rebase-merge', 'rebase-apply', 'CHERRY_PICK_HEAD'].filter((marker) =>
    existsSync(join(gitDir, marker)),
  )
  const status = await git.status()
  results.push(
    inProgress.length > 0
      ? {
          name: 'repository',
          status: 'warn',
          required: false,
          detail: `a ${inProgress.join('/')} is in progress on ${status.current ?? 'a detached HEAD'}`,
          fix: 'Finish or abort it before running a task',
        }
      : {
          name: 'repository',
          status: 'ok',
          required: false,
          detail: `on ${status.current ?? 'detached HEAD'}, ${status.files.length} changed file(s)`,
        },
  )
  return results
}

async function probe(url: string, timeoutMs: number): Promise<{ok: boolean; status?: number; body?: unknown; error?: string}> {
  try {
    const response = await fetch(url, {signal: AbortSignal.timeout(timeoutMs)})
    const text = await response.text()
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {
      // /health answers with an empty body; keep the text.
    }
    return {ok: response.ok, status: response.status, body}
  } catch (error) {
    const cause = (error as {cause?: {code?: string}}).cause?.code
    const name = (error as Error).name
    return {ok: false, error: name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (cause ?? errorText(error))}
  }
}

/**
 * How PyAgent will talk to this server, from who serves the model (owned_by): the JSON-schema
 * form, whether `auto` starts with tools or JSON actions, how a failed endpoint is probed. A
 * form the server then refuses is negotiated at run time (src/llm/client.ts).
 */
function capabilities(config: Config, model: {owned_by?: string} | undefined, hasHealth: boolean, remembered: ServerCapabilities[]): CheckResult {
  const ownedBy = model?.owned_by
  const form = structuredOutputsForm(config.structuredOutputsField, ownedBy)
  const formSource = config.structuredOutputsField === 'auto' ? `from owned_by ${ownedBy ?? '(none)'}` : 'configured'
  const actions =
    config.actionProtocol !== 'auto'
      ? `${config.actionProtocol} actions (configured)`
      : isLlamaCppServer(ownedBy)
        ? 'JSON actions (llama.cpp leaves tool-call arguments unconstrained)'
        : 'tool calls, falling back to JSON actions if they do not arrive'
  const learned = remembered.flatMap((known) => [
    ...(known.structuredForm ? [`schemas as ${known.structuredForm}`] : []),
    ...(known.streamsToolCalls === false ? ['tool calls asked without streaming'] : []),
  ])
  return {
    name: 'capabilities',
    status: 'ok',
    required: false,
    detail: `schemas as ${form} (${formSource}); ${actions}; failures probed with ${hasHealth ? '/health' : '/v1/models'}${
      learned.length > 0 ? `; earlier runs here found: ${[...new Set(learned)].join(', ')}` : ''
    }`,
    fix: 'Override with `pyagent config set structuredOutputsField …` or `actionProtocol …`',
  }
}

/** vLLM serves /health beside /v1, at the server's root. */
function healthUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '')}/health`
}

const PULL_HINT = 'Run `npx pyagent model pull` to cache the small default model, which `run` falls back to'

/** The model `run` falls back to when no server answers. */
async function checkEmbeddedModel(env: NodeJS.ProcessEnv): Promise<{check: CheckResult; model?: ModelEntry}> {
  const cacheDir = modelCacheDir(env)
  try {
    const model = await findModel(undefined, cacheDir)
    if (!model) {
      return {check: {name: 'model', status: 'warn', required: false, detail: `no model in ${cacheDir}: with no server answering, \`run\` cannot start`, fix: PULL_HINT}}
    }
    const megabytes = (model.size / 1e6).toFixed(1)
    return {model, check: {name: 'model', status: 'ok', required: false, detail: `${model.name} cached (${megabytes} MB): \`run\` falls back to it when no server answers`}}
  } catch (error) {
    return {check: {name: 'model', status: 'warn', required: false, detail: errorText(error), fix: PULL_HINT}}
  }
}

/** Which llama.cpp build the embedded engine loads, and what that means for its speed. */
async function checkEngineBuild(env: NodeJS.ProcessEnv, model: ModelEntry | undefined): Promise<CheckResult> {
  try {
    const paths = engineBuildPaths(env)
    const {state, build} = await engineBuildState(paths)
    if (build) {
      const made = `OpenMP source build of node-llama-cpp ${build.nodeLlamaCpp}, made ${build.builtAt.slice(0, 10)}${build.seconds === undefined ? '' : ` in ${(build.seconds / 60).toFixed(0)} min`}`
      const where = state === 'in-place' ? 'in use: generation gains from every core' : `cached in ${paths.cache}, copied back into node_modules when the engine next starts`
      return {name: 'engine', status: 'ok', required: false, detail: `${made}; ${where}`}
    }
    return {
      name: 'engine',
      status: model ? 'warn' : 'ok',
      required: false,
      detail: `no source build for node-llama-cpp ${paths.nodeLlamaCpp} on this CPU: ${PREBUILT_COST}`,
      fix: 'Run `npx pyagent model pull` (needs cmake, a C++ compiler and libgomp; about 5 min on two idle cores, once)',
    }
  } catch (error) {
    return {name: 'engine', status: 'warn', required: false, detail: errorText(error), fix: 'Run `npm ci` to install node-llama-cpp'}
  }
}

async function checkEndpoint(config: Config, timeoutMs: number, fallback: ModelEntry | undefined, remembered: ServerCapabilities[]): Promise<CheckResult[]> {
  const base = config.baseUrl.replace(/\/+$/, '')
  const startHint = `Start vLLM (vllm serve <model> --enable-auto-tool-choice --tool-call-parser <parser>) or set PYAGENT_BASE_URL`
  const [models, health] = await Promise.all([probe(`${base}/models`, timeoutMs), probe(healthUrl(base), timeoutMs)])
  const results: CheckResult[] = []
  if (models.ok) {
    const data = (models.body as {data?: {id?: string; max_model_len?: number; owned_by?: string}[]})?.data ?? []
    const served = data.map((model) => (model.max_model_len ? `${model.id} (${model.max_model_len} ctx)` : model.id))
    const wanted = config.model
    const missing = wanted !== undefined && !data.some((model) => model.id === wanted)
    results.push(
      missing
        ? {
            name: 'endpoint',
            status: 'fail',
            required: true,
            detail: `${base} serves ${served.join(', ') || 'no models'}, not the configured model "${wanted}"`,
            fix: 'Set `model` to one of the served models (pyagent config set model …)',
          }
        : {name: 'endpoint', status: 'ok', required: true, detail: `${base} serves ${served.join(', ') || 'no models'}`},
    )
    results.push(capabilities(config, data.find((model) => model.id === wanted) ?? data[0], health.ok, remembered))
  } else {
    const unreachable = `GET ${base}/models: ${models.error ?? `HTTP ${models.status}`}`
    results.push(
      fallback
        ? {
            name: 'endpoint',
            status: 'warn',
            required: true,
            detail: `${unreachable}; \`run\` will use the embedded ${fallback.name}, fine to try PyAgent but too small for real work`,
            fix: startHint,
          }
        : {name: 'endpoint', status: 'fail', required: true, detail: unreachable, fix: `${startHint}; or, to try PyAgent without a server: ${PULL_HINT}`},
    )
  }
  const noHealthRoute = !health.ok && (health.status === 404 || health.status === 405 || health.status === 501) && models.ok
  results.push(
    health.ok
      ? {name: 'health', status: 'ok', required: false, detail: `GET ${healthUrl(base)}: HTTP ${health.status}`}
      : noHealthRoute
        ? {
            name: 'health',
            status: 'ok',
            required: false,
            detail: `GET ${healthUrl(base)}: HTTP ${health.status}, a server without /health; a failed endpoint is probed with GET ${base}/models instead, which answers`,
          }
        : {
            name: 'health',
            status: 'warn',
            required: false,
            detail: `GET ${healthUrl(base)}: ${health.error ?? `HTTP ${health.status}`}`,
          },
  )
  return results
}

/** Says once, truthfully, whether the commands agents run are confined; `bwrap` without bubblewrap is a failure. */
function checkSandbox(config: Config): CheckResult {
  const install = 'Install bubblewrap (apt-get install bubblewrap; it needs unprivileged user namespaces)'
  try {
    return useSandbox(config.commandSandbox)
      ? {name: 'sandbox', status: 'ok', required: false, detail: 'commands agents run are confined by bubblewrap: no network, read-only outside their copy of the repository'}
      : {
          name: 'sandbox',
          status: 'warn',
          required: false,
          detail: `commands agents run are unconfined (commandSandbox=${config.commandSandbox}${config.commandSandbox === 'auto' ? ', bubblewrap missing or unusable' : ''}): one that would run code a task changed asks first, and is refused where nobody can answer`,
          fix: install,
        }
  } catch (error) {
    return {name: 'sandbox', status: 'fail', required: true, detail: errorText(error), fix: install}
  }
}

/** What earlier runs in this repository found about the endpoint; nothing when its state cannot be read (the state check says why). */
function rememberedCapabilities(repoRoot: string, baseUrl: string): ServerCapabilities[] {
  let db: StateDb | undefined
  try {
    db = openStateForReading(repoRoot)
    return db ? rememberedAt(db, baseUrl) : []
  } catch {
    return []
  } finally {
    db?.close()
  }
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const checks: CheckResult[] = [checkNode(), checkNative()]
  let config: Config | undefined
  try {
    config = loadConfig({repoRoot: options.repoRoot, env: options.env}).config
    checks.push({name: 'config', status: 'ok', required: true, detail: `endpoint ${config.baseUrl}`}, checkSandbox(config))
  } catch (error) {
    checks.push({name: 'config', status: 'fail', required: true, detail: errorText(error), fix: 'Correct the value named above'})
  }
  checks.push(checkState(options.repoRoot), ...(await checkGit(options.repoRoot)))
  const embedded = await checkEmbeddedModel(options.env ?? process.env)
  if (config) checks.push(...(await checkEndpoint(config, options.timeoutMs ?? 2000, embedded.model, rememberedCapabilities(options.repoRoot, config.baseUrl))))
  checks.push(embedded.check, await checkEngineBuild(options.env ?? process.env, embedded.model))
  return {ok: checks.every((check) => check.status !== 'fail' || !check.required), checks}
}
