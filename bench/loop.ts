/**
 * The agent loop's own overhead per step: an instant scripted model (no network, no tokens)
 * drives 200 steps of read_file and edit over a temp repository through the real workspace
 * transaction, native text engine, SQLite event log and bus. The peer, measured in the same run,
 * is the bare work of a step: consuming the same model events and reading the same file with
 * fs.readFileSync. Also prints the run's peak RSS. Run: `npx tsx bench/loop.ts [steps]`.
 */
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'

import {EventBus} from '../src/agent/events.js'
import type {ChatEvent, ChatRequest, ModelClient} from '../src/agent/ports.js'
import {runTask} from '../src/agent/run-task.js'
import {nativeEngine, workspacePort} from '../src/app/services.js'
import {openState} from '../src/state/db.js'
import {Workspace} from '../src/workspace/workspace.js'

const STEPS = Number(process.argv[2] ?? 200)
const FILES = 20

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

function fileName(index: number): string {
  return `src/module${index % FILES}.ts`
}

/** The step's action: mostly reads, every fifth an edit, the last one finish; the critic approves. */
function scriptedEvents(request: ChatRequest, step: number): ChatEvent[] {
  const usage: ChatEvent = {type: 'usage', usage: {promptTokens: 0, completionTokens: 0, totalTokens: 0, source: 'server', estimatedPromptTokens: 0}}
  const finish = (reason: string): ChatEvent => ({type: 'finish', reason, endpoint: 'instant', model: 'instant', attempts: 1, latencyMs: 0})
  if (request.responseSchema) return [{type: 'structured', value: {verdict: 'approve', feedback: 'ok'}}, usage, finish('stop')]
  const path = fileName(step)
  const [name, args] =
    step >= STEPS
      ? ['finish', {summary: 'done'}]
      : step % 5 === 4
        ? ['edit', {path, edits: [{search: `export const value${step % FILES} = `, replace: `export const value${step % FILES} =  `}]}]
        : ['read_file', {path}]
  const argumentsText = JSON.stringify(args)
  return [
    {type: 'tool_call', call: {id: `call-${step}`, name, argumentsText, arguments: {ok: true, value: args as Record<string, unknown>}}},
    usage,
    finish('tool_calls'),
  ]
}

class InstantModel implements ModelClient {
  step = 0
  async *chat(request: ChatRequest): AsyncGenerator<ChatEvent> {
    if (!request.responseSchema) this.step++
    yield* scriptedEvents(request, this.step)
  }
}

function makeRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'pyagent-bench-loop-'))
  mkdirSync(join(root, 'src'))
  for (let index = 0; index < FILES; index++) {
    const body = Array.from({length: 200}, (_, line) => `// line ${line} of a module that is about the size of a real one\n`).join('')
    writeFileSync(join(root, fileName(index)), `${body}export const value${index} = ${index}\n`)
  }
  return root
}

async function agentRun(root: string): Promise<number[]> {
  const db = openState(root)
  const workspace = await Workspace.open(root, {db})
  const redact = (text: string) => text
  const bus = new EventBus(db, redact)
  const stamps: number[] = []
  bus.on((event) => {
    if (event.type === 'tool_result') stamps.push(performance.now())
  })
  const outcome = await runTask(
    {db, workspace: workspacePort(workspace), engine: nativeEngine, runner: {run: () => Promise.reject(new Error('no commands in the bench'))}, redact, model: new InstantModel(), bus},
    {
      task: 'bench',
      role: 'coder',
      priority: 'normal',
      budget: {maxSteps: STEPS + 10, maxTokens: 1e9, maxCostUsd: 0, timeoutSec: 3600},
      settings: {protocol: 'tools', allowedCommands: [], testCommand: undefined, benchmarkCommand: undefined, perfMarginPct: 5, maxRevisions: 0, commandTimeoutMs: 1000, constrainEditSearch: false, memory: false},
      concurrency: 1,
      maxDepth: 1,
      signal: new AbortController().signal,
      approve: async () => true,
    },
  )
  if (outcome.status !== 'done') throw new Error(`the bench run ended ${outcome.status}: ${outcome.summary}`)
  workspace.close()
  db.close()
  return stamps.slice(1).map((stamp, index) => stamp - stamps[index]!)
}

async function peerRun(root: string): Promise<number[]> {
  const model = new InstantModel()
  const times: number[] = []
  let last = performance.now()
  for (let step = 1; step <= STEPS; step++) {
    for await (const event of model.chat({messages: []})) {
      if (event.type === 'tool_call') readFileSync(join(root, fileName(step)), 'utf8')
    }
    const now = performance.now()
    times.push(now - last)
    last = now
  }
  return times
}

const root = makeRepo()
const warmup = makeRepo()
try {
  await agentRun(warmup)
  const agent = median(await agentRun(root))
  const peer = median(await peerRun(root))
  const rssMb = process.resourceUsage().maxRSS / 1024
  console.log(`agent loop, ${STEPS} steps with an instant scripted model (node ${process.version})`)
  console.log(`loop           ${agent.toFixed(3).padStart(8)} ms/step (median)   ${(agent / peer).toFixed(1)}x bare step   target < 5 ms`)
  console.log(`bare step      ${peer.toFixed(3).padStart(8)} ms/step (median)`)
  console.log(`peak RSS       ${rssMb.toFixed(0).padStart(8)} MB`)
} finally {
  rmSync(root, {recursive: true, force: true})
  rmSync(warmup, {recursive: true, force: true})
}
