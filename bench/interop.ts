/**
 * Issue 16's bar: the README's main job, default settings, against servers that are not vLLM.
 * Starts llama-cpp-python's OpenAI-compatible server (from a bench venv; see --python) on the
 * cached GGUF in each chat mode, optionally behind LiteLLM's proxy, runs `pyagent run --json`
 * on the main job's repository, and reports per run: steps, valid actions, how the run ended,
 * the protocol `auto` chose and why, and the largest answer against the per-turn token bound.
 *
 *   npx tsx bench/interop.ts [--python bench/.venv-interop/bin/python] [--model PATH]
 *                            [--modes chatml-function-calling,template] [--litellm] [--json]
 *
 * Set-up (once; the wheel stays out of the repository):
 *   python3 -m venv bench/.venv-interop
 *   bench/.venv-interop/bin/pip install "llama-cpp-python[server]"      # compiles llama.cpp, ~30 min here
 *   bench/.venv-interop/bin/pip install "litellm[proxy]"                 # for --litellm
 */
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

import {execa} from 'execa'
import {z} from 'zod'

import {freePort} from '../test/support/free-port.js'

const {values: flags} = parseArgs({
  options: {
    python: {type: 'string', default: 'bench/.venv-interop/bin/python'},
    model: {type: 'string', default: join(homedir(), '.cache/pyagent/models/smollm2-135m-instruct.gguf')},
    modes: {type: 'string', default: 'chatml-function-calling,template'},
    'n-ctx': {type: 'string', default: '8192'},
    litellm: {type: 'boolean', default: false},
    json: {type: 'boolean', default: false},
  },
})

const BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const TASK = 'Fix the off-by-one in src/range.ts and add a test'
/** completionReserveTokens' default, at most a quarter of the window: what PyAgent sends as max_tokens. */
const TURN_BOUND = Math.min(4096, Math.floor(Number(flags['n-ctx']) / 4))

const event = z.looseObject({type: z.string()})
type Event = z.infer<typeof event> & Record<string, unknown>

async function waitFor(url: string, child: ChildProcess, seconds = 120): Promise<void> {
  const until = Date.now() + seconds * 1000
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited with ${child.exitCode} before answering`)
    const ok = await fetch(url).then((response) => response.ok, () => false)
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`${url} did not answer within ${seconds} s`)
}

function start(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, {stdio: ['ignore', 'ignore', 'pipe']})
  child.stderr?.resume()
  return child
}

async function llamaServer(mode: string): Promise<{url: string; child: ChildProcess}> {
  const port = await freePort()
  const args = ['-m', 'llama_cpp.server', '--model', flags.model!, '--port', String(port), '--n_ctx', flags['n-ctx']!]
  if (mode !== 'template') args.push('--chat_format', mode)
  const child = start(flags.python!, args)
  const url = `http://127.0.0.1:${port}/v1`
  await waitFor(`${url}/models`, child)
  return {url, child}
}

/** LiteLLM's proxy refuses to start without a master key; PyAgent sends it as PYAGENT_API_KEY. */
const LITELLM_KEY = `sk-bench-${process.pid}`

async function litellmProxy(upstream: string): Promise<{url: string; child: ChildProcess}> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'pyagent-litellm-'))
  const config = join(dir, 'config.yaml')
  writeFileSync(
    config,
    `model_list:\n  - model_name: local\n    litellm_params:\n      model: openai/${flags.model}\n      api_base: ${upstream}\n      api_key: none\ngeneral_settings:\n  master_key: ${LITELLM_KEY}\n`,
  )
  const litellm = join(flags.python!, '..', 'litellm')
  const child = start(litellm, ['--config', config, '--port', String(port), '--host', '127.0.0.1'])
  const url = `http://127.0.0.1:${port}/v1`
  await waitFor(`http://127.0.0.1:${port}/health/liveliness`, child, 180)
  return {url, child}
}

/** The main job's repository: a range() with its off-by-one, a package.json whose `npm test` runs node --test. */
function mainJobRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'pyagent-interop-'))
  mkdirSync(join(root, 'src'))
  writeFileSync(join(root, 'src/range.ts'), '/** The integers from start to end, both included. */\nexport function range(start: number, end: number): number[] {\n  const out: number[] = []\n  for (let i = start; i < end; i++) out.push(i)\n  return out\n}\n')
  writeFileSync(join(root, 'package.json'), '{"name": "main-job", "version": "1.0.0", "type": "module", "scripts": {"test": "node --test"}}\n')
  for (const args of [['init', '-q'], ['add', '.'], ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-qm', 'init']]) {
    if (spawnSync('git', args, {cwd: root, stdio: 'ignore'}).status !== 0) throw new Error(`git ${args.join(' ')} failed in ${root}`)
  }
  return root
}

interface RunReport {
  server: string
  exitCode: number
  seconds: number
  steps: number
  validActions: number
  protocol: string
  ended: string
  largestAnswer: number
}

async function mainJob(server: string, url: string, apiKey?: string): Promise<RunReport> {
  const repo = mainJobRepo()
  const started = performance.now()
  const env = {PYAGENT_BASE_URL: url, ...(apiKey ? {PYAGENT_API_KEY: apiKey} : {})}
  const result = await execa('node', [BIN, 'run', '--json', '--task', TASK], {cwd: repo, env, reject: false, timeout: 1_800_000})
  const events = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => event.parse(JSON.parse(line)) as Event)
  const usage = events.filter((item) => item.type === 'usage')
  const calls = events.filter((item) => item.type === 'tool_call')
  const finished = events.findLast((item) => item.type === 'task_finished')
  const switches = events.filter((item) => item.type === 'protocol').map((item) => `${item.protocol} (${String(item.reason).slice(0, 90)})`)
  return {
    server,
    exitCode: result.exitCode ?? -1,
    seconds: Math.round((performance.now() - started) / 1000),
    steps: usage.length,
    validActions: calls.filter((call) => typeof call.arguments === 'object' && call.arguments !== null).length,
    protocol: switches.join('; ') || 'tools',
    ended: finished ? `${finished.status}: ${String(finished.summary).slice(0, 600)}` : `no task_finished (stderr: ${result.stderr.slice(-200)})`,
    largestAnswer: Math.max(0, ...usage.map((item) => Number(item.completionTokens ?? 0))),
  }
}

const reports: RunReport[] = []
for (const mode of flags.modes!.split(',')) {
  const llama = await llamaServer(mode)
  try {
    reports.push(await mainJob(`llama-cpp-python, ${mode}`, llama.url))
    if (flags.litellm) {
      const proxy = await litellmProxy(llama.url)
      try {
        reports.push(await mainJob(`LiteLLM → llama-cpp-python, ${mode}`, proxy.url, LITELLM_KEY))
      } finally {
        proxy.child.kill()
      }
    }
  } finally {
    llama.child.kill()
  }
}

if (flags.json) {
  console.log(JSON.stringify({turnBound: TURN_BOUND, reports}, null, 2))
} else {
  console.log(`main job: ${TASK}\nper-turn bound (max_tokens): ${TURN_BOUND}\n`)
  for (const report of reports) {
    console.log(`${report.server}: exit ${report.exitCode}, ${report.seconds} s, ${report.steps} steps, ${report.validActions} valid actions, largest answer ${report.largestAnswer} tokens`)
    console.log(`  protocol: ${report.protocol}`)
    console.log(`  ended: ${report.ended}\n`)
  }
}
