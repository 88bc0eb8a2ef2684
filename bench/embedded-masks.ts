/**
 * The per-token cost of the native token masks in the embedded engine, against the model's own
 * per-token time, on identical work. For each agent-like prompt one answer is decoded greedily
 * under the masks, and the schedule of tokens fed at each step is recorded (the sampled token
 * plus the jump-forward text after it). The peer replays exactly that schedule without masks:
 * the same decodes at the same context lengths, a sample per step, no bias, no DFA. The masked
 * side runs cold (a fresh decoder: compile, then every state's mask and bias built on first
 * reach, as for the first request with a schema) and warm (the decoder the engine keeps per
 * schema, as on every later agent step).
 *
 *   npx tsx bench/embedded-masks.ts [rounds]      interleaved rounds on the coder's real JSON-action
 *                                                 prompt: CPU time of the process (llama.cpp's thread
 *                                                 included) and wall time, medians and range, load
 *   npx tsx bench/embedded-masks.ts --callgrind   instruction counts under valgrind (repeatable on a
 *                                                 loaded machine): a short prompt, two tasks, one
 *                                                 process, counters dumped around every answer
 *
 * Needs `node bin/run.js model pull` first.
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {freemem, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {getLlama, LlamaLogLevel, resolveChatWrapper, TokenBias, type Token} from 'node-llama-cpp'
import {z} from 'zod'

import {actionSchema, systemPrompt} from '../src/agent/prompt.js'
import {roleNamed} from '../src/agent/roles.js'
import {readGgufVocabulary} from '../src/engine/gguf-vocabulary.js'
import {findModel} from '../src/engine/models.js'
import {SchemaCursor, SchemaDecoder} from '../src/engine/schema-decoder.js'

const TASKS = [
  'Fix the bug in src/add.js so that add returns the sum of its arguments.',
  'Read test.js and tell me what it checks.',
  'Make greet in src/greet.js say hello instead of hi.',
  'List the files of this repository.',
  'Run the tests and report whether they pass.',
  'Add a README.md that explains how to run the tests.',
]
/** Under valgrind a decode costs seconds: a one-line system prompt instead of the 1,200-token one, and shorter answers. */
const SHORT_SYSTEM = 'You are a coding agent. Answer with one JSON action: {"tool": <tool name>, "arguments": {...}}. Tools: read_file, list_files, search, edit, write_file, run_command, run_tests, finish.'
const PASS_MARK = 'pass:'

const mode = process.argv[2] === '--callgrind' ? 'callgrind' : process.argv[2] === '--callgrind-passes' ? 'passes' : 'timed'

if (mode === 'callgrind') {
  const dir = mkdtempSync(join(tmpdir(), 'pyagent-callgrind-'))
  try {
    const started = performance.now()
    // os.freemem() marks the answers: callgrind dumps (and zeroes) its counters when uv_get_free_memory is entered.
    const output = execFileSync(
      'valgrind',
      ['--tool=callgrind', '--smc-check=all-non-file', '--dump-before=uv_get_free_memory', `--callgrind-out-file=${join(dir, 'cg.out')}`, process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url), '--callgrind-passes'],
      {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 24},
    )
    const passes = output
      .split('\n')
      .filter((line) => line.startsWith(PASS_MARK))
      .map((line) => JSON.parse(line.slice(PASS_MARK.length)) as {kind: 'cold' | 'warm' | 'bare'; task: number; samples: number})
    const counts = readdirSync(dir)
      .filter((name) => /^cg\.out\.\d+$/.test(name))
      .sort((a, b) => Number(a.split('.').at(-1)) - Number(b.split('.').at(-1)))
      .map((name) => Number(/^totals: (\d+)/m.exec(readFileSync(join(dir, name), 'utf8'))?.[1]))
    // Dumps: the set-up, then per pass the answer and the gap up to the next pass.
    const answers = passes.map((pass, index) => ({...pass, instructions: counts[1 + 2 * index]!}))
    console.log(`masking overhead in the embedded model, instruction counts under callgrind (all threads; ${((performance.now() - started) / 60_000).toFixed(0)} min, load ${loadavg()[0]!.toFixed(2)})`)
    console.table(
      answers.map(({kind, task, samples, instructions}) => {
        const bare = answers.find((answer) => answer.kind === 'bare' && answer.task === task)!.instructions
        return {task, side: kind, samples, 'instructions (M)': (instructions / 1e6).toFixed(1), 'per sample (M)': (instructions / samples / 1e6).toFixed(2), 'overhead %': kind === 'bare' ? '' : ((100 * (instructions - bare)) / bare).toFixed(2)}
      }),
    )
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
  process.exit(0)
}

const entry = await findModel()
if (!entry) {
  console.log('No model in the cache: run `node bin/run.js model pull` first.')
  process.exit(1)
}
// As EmbeddedEngine.load: CPU, one thread, a 4096-token context.
const llama = await getLlama({gpu: false, logLevel: LlamaLogLevel.error, build: 'never'})
const model = await llama.loadModel({modelPath: entry.file})
const context = await model.createContext({contextSize: 4096, sequences: 1, threads: 1})
const sequence = context.getSequence()
const vocabulary = await readGgufVocabulary(entry.file)
const role = roleNamed('coder')
const schema = z.toJSONSchema(actionSchema(role.tools)) as Record<string, unknown>
const decoderModel = {tokenize: (text: string) => model.tokenize(text, false), newTokenBias: () => new TokenBias(model.tokenizer)}
const compile = () => SchemaDecoder.compile(schema, vocabulary, decoderModel)
const system = mode === 'passes' ? SHORT_SYSTEM : systemPrompt({role, protocol: 'json', instructions: '', tools: role.tools})
const maxSamples = mode === 'passes' ? 32 : 96
const chatWrapper = resolveChatWrapper(model)
const prompts = TASKS.slice(0, mode === 'passes' ? 2 : TASKS.length).map((task) =>
  chatWrapper
    .generateContextState({chatHistory: [{type: 'system', text: system}, {type: 'user', text: task}, {type: 'model', response: []}]})
    .contextText.tokenize(model.tokenizer),
)

interface Schedule {
  start: Token[]
  steps: Token[][]
}

/** Puts the prompt but its last token in the context, so that every pass starts from the same state and does only its answer. */
async function preparePrompt(prompt: Token[]): Promise<void> {
  await sequence.adaptStateToTokens(prompt, false)
  const held = Math.min(sequence.nextTokenIndex, prompt.length - 1)
  if (sequence.nextTokenIndex > held) await sequence.eraseContextTokenRanges([{start: held, end: sequence.nextTokenIndex}])
  if (held < prompt.length - 1) await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(held, -1))
}

/** Greedy decoding under the masks; returns the fed schedule: per step, the sampled token and the forced text after it. */
async function masked(prompt: Token[], decoder: SchemaDecoder): Promise<Schedule> {
  const cursor = new SchemaCursor(decoder)
  const start = [prompt.at(-1)!, ...cursor.begin()]
  const steps: Token[][] = []
  const iterator = sequence.evaluate(start, {temperature: 0, tokenBias: cursor.bias})
  try {
    for (let next = await iterator.next(); !next.done; ) {
      const feed = [next.value, ...cursor.accept(next.value)]
      steps.push(feed)
      if (cursor.finished || steps.length >= maxSamples) break
      next = await iterator.next(feed)
    }
  } finally {
    await iterator.return()
  }
  return {start, steps}
}

/** The same decodes and samples, without masks: the model's own cost for this answer. */
async function replay({start, steps}: Schedule): Promise<void> {
  const iterator = sequence.evaluate(start, {temperature: 0})
  try {
    let next = await iterator.next()
    for (const feed of steps.slice(0, -1)) {
      if (next.done) throw new Error('the replay ended early')
      next = await iterator.next(feed)
    }
  } finally {
    await iterator.return()
  }
}

if (mode === 'passes') {
  const warm = compile()
  for (const [task, prompt] of prompts.entries()) {
    await masked(prompt, warm)
    let schedule: Schedule | undefined
    const passes = {
      cold: async () => (schedule = await masked(prompt, compile())),
      bare: () => replay(schedule!),
      warm: () => masked(prompt, warm),
    }
    for (const kind of ['cold', 'bare', 'warm'] as const) {
      await preparePrompt(prompt)
      freemem()
      await passes[kind]()
      freemem()
      console.log(`${PASS_MARK}${JSON.stringify({kind, task, samples: schedule!.steps.length})}`)
    }
  }
  process.exit(0)
}

interface Timing {
  wallMs: number
  cpuMs: number
}

async function timed<T>(work: () => Promise<T>): Promise<{value: T} & Timing> {
  const cpu = process.cpuUsage()
  const started = performance.now()
  const value = await work()
  const used = process.cpuUsage(cpu)
  return {value, wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000}
}

const rounds = Number(process.argv[2] ?? 3)
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN
const spread = (values: number[]) => `${Math.min(...values).toFixed(1)}..${Math.max(...values).toFixed(1)}`

const load = [loadavg()]
const warm = compile()
const rows: {cold: Timing; warm: Timing; bare: Timing; samples: number; fed: number}[] = []
for (let round = 0; round < rounds; round++) {
  for (const [index, prompt] of prompts.entries()) {
    await preparePrompt(prompt)
    const cold = await timed(() => masked(prompt, compile()))
    const schedule = cold.value
    const passes = {
      warm: async () => {
        await preparePrompt(prompt)
        return timed(() => masked(prompt, warm))
      },
      bare: async () => {
        await preparePrompt(prompt)
        return timed(() => replay(schedule))
      },
    }
    const order = (round + index) % 2 === 0 ? (['warm', 'bare'] as const) : (['bare', 'warm'] as const)
    const results: Partial<Record<'warm' | 'bare', Timing>> = {}
    for (const pass of order) results[pass] = await passes[pass]()
    rows.push({cold, warm: results.warm!, bare: results.bare!, samples: schedule.steps.length, fed: schedule.steps.flat().length + schedule.start.length - 1})
  }
}
load.push(loadavg())
await model.dispose()

type Row = (typeof rows)[number]
const samples = rows.reduce((sum, row) => sum + row.samples, 0)
const fed = rows.reduce((sum, row) => sum + row.fed, 0)
const overhead = (pick: (row: Row) => Timing, measure: keyof Timing) => rows.map((row) => (100 * (pick(row)[measure] - row.bare[measure])) / row.bare[measure])
const perSample = (pick: (row: Row) => Timing, measure: keyof Timing) => median(rows.map((row) => pick(row)[measure] / row.samples)).toFixed(2)

console.log(`masking overhead in the embedded ${entry.name}: ${rows.length} answers (${rounds} rounds x ${prompts.length} prompts), coder JSON-action prompt and schema, greedy, up to ${maxSamples} samples, 1 thread (node ${process.version})`)
console.log(`${samples} sampled tokens, ${fed} tokens fed (${((100 * (fed - samples)) / fed).toFixed(0)}% forced by jump-forward)`)
console.table(
  (['cpuMs', 'wallMs'] as const).flatMap((measure) => [
    {measure, side: 'model alone (replay)', 'ms/sample median': perSample((row) => row.bare, measure), 'overhead % median': '', 'overhead % range': ''},
    ...(['warm', 'cold'] as const).map((side) => ({
      measure,
      side: `masks, ${side} decoder`,
      'ms/sample median': perSample((row) => row[side], measure),
      'overhead % median': median(overhead((row) => row[side], measure)).toFixed(1),
      'overhead % range': spread(overhead((row) => row[side], measure)),
    })),
  ]),
)
console.log(`target: overhead < 10% of the model's own per-token time`)
console.log(`load average (1, 5, 15 min) at start and end: ${load.map((avg) => avg.map((value) => value.toFixed(2)).join(' ')).join(' | ')}`)
