/**
 * The agent loop on the embedded default model, as `pyagent run` drives it with no server: JSON
 * actions over the in-process OpenAI-compatible server, on a tiny temp repository, task after
 * task until N steps (default 200) have been answered, once with the native token masks on and
 * once with them off. Reports the share of answers that are valid actions (the loop's own zod
 * check) and what a step costs. Run: npx tsx bench/embedded-loop.ts [steps]
 * (needs `node bin/run.js model pull` first; about 30-60 minutes on 2 loaded cores).
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {loadavg, tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {z} from 'zod'

import {EventBus} from '../src/agent/events.js'
import {actionSchema} from '../src/agent/prompt.js'
import {roleNamed} from '../src/agent/roles.js'
import {runTask} from '../src/agent/run-task.js'
import {openServices} from '../src/app/services.js'
import {configSchema} from '../src/config/schema.js'
import {EmbeddedEngine, type EngineResult} from '../src/engine/engine.js'
import {findModel} from '../src/engine/models.js'
import {serveModel} from '../src/engine/server.js'

const STEPS = Number(process.argv[2] ?? 200)
/** Varied tasks, so that greedy decoding does not walk the same few trajectories over and over. */
const TASKS = [
  'Fix the bug in src/add.js so that add returns the sum of its arguments.',
  'Make greet in src/greet.js say hello instead of hi.',
  'Add a function sub(a, b) to src/add.js that subtracts b from a.',
  'Read test.js and tell me what it checks.',
  'List the files of this repository and describe each in one sentence.',
  'Run the tests and report whether they pass.',
  'Rename the function greet to welcome in src/greet.js.',
  'Add a README.md that explains how to run the tests.',
  'Search the code for the word return and list the places.',
  'Add a test for greet to test.js.',
  'Write a file src/mul.js that exports mul(a, b).',
  'What does package.json declare?',
  'Add a comment above add in src/add.js that says what it does.',
  'Make add in src/add.js accept any number of arguments.',
  'Delete the trailing newline at the end of src/greet.js.',
  'Add a .gitignore that ignores node_modules.',
  'Change the test script in package.json to run node --test.',
  'Explain how greet builds its message.',
  'Check whether src/add.js has a bug.',
  'Add JSDoc to every exported function.',
  'Create src/index.js that re-exports add and greet.',
  'Run node test.js and fix what fails.',
  'Count the lines of code in src/.',
  'Make greet trim the name before greeting.',
  'Add a LICENSE file with the MIT licence.',
]
const FILES = {
  'src/add.js': 'export function add(a, b) {\n  return a - b\n}\n',
  'src/greet.js': "export function greet(name) {\n  return 'hi ' + name\n}\n",
  'test.js': "import {add} from './src/add.js'\nif (add(2, 3) !== 5) { console.error('add(2, 3) should be 5'); process.exit(1) }\nconsole.log('all tests pass')\n",
  'package.json': '{"type": "module", "scripts": {"test": "node test.js"}}\n',
}

function makeRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'pyagent-bench-embedded-'))
  for (const [path, content] of Object.entries(FILES)) {
    mkdirSync(dirname(join(root, path)), {recursive: true})
    writeFileSync(join(root, path), content)
  }
  const git = (...args: string[]) => execFileSync('git', args, {cwd: root, stdio: 'ignore'})
  git('init', '-q', '-b', 'main')
  git('-c', 'user.email=bench@example.com', '-c', 'user.name=bench', 'add', '-A')
  git('-c', 'user.email=bench@example.com', '-c', 'user.name=bench', 'commit', '-q', '-m', 'initial')
  return root
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN
const percentile = (values: number[], share: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * share))] ?? Number.NaN

const role = roleNamed('coder')
const actions = actionSchema(role.tools)
const actionSchemaJson = JSON.stringify(z.toJSONSchema(actions))
const isAction = (text: string) => {
  try {
    return actions.safeParse(JSON.parse(text)).success
  } catch {
    return false
  }
}

interface Answer {
  valid: boolean
  /** Undefined when the client stopped the answer (it could no longer become valid). */
  result?: EngineResult
  wallMs: number
}

async function arm(engine: EmbeddedEngine, masks: boolean) {
  const answers: Answer[] = []
  const stop = new AbortController()
  const watched = {
    name: engine.name,
    contextSize: engine.contextSize,
    complete: async (request: Parameters<EmbeddedEngine['complete']>[0]) => {
      const action = JSON.stringify(request.jsonSchema) === actionSchemaJson && answers.length < STEPS
      const started = performance.now()
      let text = ''
      const record = (valid: boolean, result?: EngineResult) => {
        answers.push({valid, result, wallMs: performance.now() - started})
        process.stderr.write(`  step ${answers.length}: ${((performance.now() - started) / 1000).toFixed(1)} s, ${result ? `${result.promptTokens} prompt + ${result.completionTokens} tokens (${result.sampledTokens} sampled)` : 'stopped by the client'}, ${valid ? 'valid' : 'invalid'}: ${text.slice(0, 100).replace(/\s+/g, ' ')}\n`)
        if (answers.length === STEPS) stop.abort()
      }
      try {
        const onText = (chunk: string) => {
          text += chunk
          request.onText?.(chunk)
        }
        const result = await engine.complete({...request, masks, onText})
        text = result.text
        if (action) record(isAction(result.text), result)
        return result
      } catch (error) {
        // The client's streaming validator hangs up as soon as the text can no longer be valid.
        if (action && !stop.signal.aborted) record(false)
        throw error
      }
    },
  }
  const server = await serveModel(watched)
  // One answer per step: the client's repair round would be a second answer to the same step.
  const config = configSchema.parse({baseUrl: server.url, model: engine.name, actionProtocol: 'json', maxRetries: 0, structuredRepairs: 0, testCommand: 'node test.js'})
  const outcomes: Record<string, number> = {}
  try {
    for (let task = 0; answers.length < STEPS; task++) {
      const root = makeRepo()
      const services = await openServices(root, config)
      try {
        const outcome = await runTask(
          {...services, bus: new EventBus(services.db, services.redact)},
          {
            task: TASKS[task % TASKS.length]!,
            role: 'coder',
            priority: 'normal',
            budget: {maxSteps: 8, maxTokens: 1e9, maxCostUsd: 0, timeoutSec: 1800},
            settings: {protocol: 'json', allowedCommands: ['node', 'npm test', 'ls', 'cat'], testCommand: 'node test.js', benchmarkCommand: undefined, perfMarginPct: 5, maxRevisions: 1, commandTimeoutMs: 30_000, constrainEditSearch: false, memory: false},
            concurrency: 1,
            maxDepth: 1,
            signal: stop.signal,
            approve: async () => true,
          },
        )
        outcomes[outcome.status] = (outcomes[outcome.status] ?? 0) + 1
        process.stderr.write(`masks ${masks ? 'on' : 'off'}: task ${task + 1} ${outcome.status}, ${answers.length}/${STEPS} steps\n`)
      } finally {
        services.close()
        rmSync(root, {recursive: true, force: true})
      }
    }
  } finally {
    await server.close()
  }
  return {answers, outcomes}
}

const entry = await findModel()
if (!entry) {
  console.log('No model in the cache: run `node bin/run.js model pull` first.')
  process.exit(1)
}
const engine = await EmbeddedEngine.load(entry)
const load = [loadavg()]
const runs = [] as {masks: string; answers: Answer[]; outcomes: Record<string, number>}[]
for (const masks of [true, false]) {
  runs.push({masks: masks ? 'on' : 'off', ...(await arm(engine, masks))})
  load.push(loadavg())
}
await engine.close()

console.log(`agent loop on the embedded ${entry.name}: ${STEPS} steps per arm, JSON actions, greedy decoding, 1 thread (node ${process.version})`)
console.table(
  runs.map(({masks, answers, outcomes}) => {
    const finished = answers.flatMap((answer) => (answer.result ? [answer.result] : []))
    const sum = (pick: (result: EngineResult) => number) => finished.reduce((total, result) => total + pick(result), 0)
    const sampled = sum((result) => result.sampledTokens)
    return {
      masks,
      steps: answers.length,
      'valid actions': `${((100 * answers.filter((answer) => answer.valid).length) / answers.length).toFixed(1)}%`,
      'stopped by client': answers.length - finished.length,
      'median s/step': (median(answers.map((answer) => answer.wallMs)) / 1000).toFixed(1),
      'p90 s/step': (percentile(answers.map((answer) => answer.wallMs), 0.9) / 1000).toFixed(1),
      'tokens/answer': (sum((result) => result.completionTokens) / finished.length).toFixed(0),
      'sampled/answer': (sampled / finished.length).toFixed(0),
      'mask ms/sampled token': (sum((result) => result.maskMs) / sampled).toFixed(3),
      'answer ms/sampled token (new prompt included)': (sum((result) => result.generationMs) / sampled).toFixed(1),
      tasks: JSON.stringify(outcomes),
    }
  }),
)
console.log(`load average (1, 5, 15 min) at start and after each arm: ${load.map((avg) => avg.map((value) => value.toFixed(2)).join(' ')).join(' | ')}`)
