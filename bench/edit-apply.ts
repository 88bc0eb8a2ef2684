/**
 * Edits that always apply (issue 18): on each task of the task benchmark, the embedded model is
 * shown the file to change and the person's request and must answer with one `edit` (JSON under
 * the token masks), once with the edit tool's plain schema and once with its search narrowed to
 * text that occurs once in the file (`x-pyagent-substring-of`). Each edit is applied as the
 * agent applies it (exact, then whitespace-tolerant); counted: answers whose every search
 * applied, and those whose result is the reference fix. Greedy decoding, so a run repeats.
 *
 *   npx tsx bench/edit-apply.ts [--model NAME] [--tasks GLOB] [--json]
 */
import picomatch from 'picomatch'
import {parseArgs} from 'node:util'
import {z} from 'zod'

import {editArgumentsFor, editTool} from '../src/agent/tools/edit.js'
import {EmbeddedEngine} from '../src/engine/engine.js'
import {findModel} from '../src/engine/models.js'
import {applyEdits} from '../src/native.js'
import {TASKS} from './tasks/catalog/index.js'
import type {BenchTask} from './tasks/task.js'

const {values: flags} = parseArgs({options: {model: {type: 'string'}, tasks: {type: 'string', default: '*'}, json: {type: 'boolean', default: false}}})

type Mode = 'plain' | 'substring'

interface Outcome {
  id: string
  mode: Mode
  /** Every search of the answer was found (the edit applied). */
  applied: boolean
  /** The file after the edit is the reference fix's. */
  fixed: boolean
  searches: number
  completionTokens: number
  ms: number
  error?: string
}

/** The task's first search/replace step: the file it changes and the text the fix leaves. */
function target(task: BenchTask): {path: string; text: string; fixed: string} | undefined {
  const step = task.fix[0]
  if (!step || !('search' in step)) return undefined
  const text = task.files[step.path]!
  const fixed = task.fix.filter((other) => other.path === step.path && 'search' in other).reduce((current, other) => ('search' in other ? current.replace(other.search, other.replace) : current), text)
  return {path: step.path, text, fixed}
}

const answerSchema = z.object({edits: z.array(z.object({search: z.string(), replace: z.string()}))})

async function attempt(engine: EmbeddedEngine, task: BenchTask, mode: Mode): Promise<Outcome | undefined> {
  const file = target(task)
  if (!file) return undefined
  const schema = z.toJSONSchema(mode === 'substring' ? editArgumentsFor([file])! : editTool.schema) as Record<string, unknown>
  const messages = [
    {role: 'system' as const, content: 'You change code by search/replace edits. Each search must be text copied exactly from the file.'},
    {role: 'user' as const, content: `${file.path}:\n${file.text}\n${task.task}\nAnswer with the edit as JSON: {"path": "${file.path}", "edits": [{"search": …, "replace": …}]}.`},
  ]
  const started = performance.now()
  const result = await engine.complete({messages, jsonSchema: schema, maxTokens: 256})
  const ms = performance.now() - started
  const base = {id: task.id, mode, completionTokens: result.completionTokens, ms}
  const parsed = answerSchema.safeParse(JSON.parse(result.text))
  if (!parsed.success) return {...base, applied: false, fixed: false, searches: 0, error: 'not an edit'}
  const {edits} = parsed.data
  try {
    const edited = applyEdits(file.text, edits, {flexibleWhitespace: true}).text
    return {...base, applied: true, fixed: edited === file.fixed, searches: edits.length}
  } catch (error) {
    return {...base, applied: false, fixed: false, searches: edits.length, error: (error as Error).message.split('\n')[0]}
  }
}

const entry = await findModel(flags.model)
if (!entry) {
  console.error(`No model ${flags.model ?? ''} in the cache: run \`npx pyagent model pull${flags.model ? ` ${flags.model}` : ''}\` first.`)
  process.exit(1)
}
const engine = await EmbeddedEngine.load(entry)
const matches = picomatch(flags.tasks!)
const outcomes: Outcome[] = []
try {
  for (const task of TASKS.filter((candidate) => matches(candidate.id))) {
    for (const mode of ['plain', 'substring'] as const) {
      const outcome = await attempt(engine, task, mode)
      if (!outcome) continue
      outcomes.push(outcome)
      process.stderr.write(`${task.id} ${mode}: ${outcome.applied ? 'applied' : `failed (${outcome.error})`}${outcome.fixed ? ', the reference fix' : ''}\n`)
    }
  }
} finally {
  await engine.close()
}

const summary = Object.fromEntries(
  (['plain', 'substring'] as const).map((mode) => {
    const runs = outcomes.filter((outcome) => outcome.mode === mode)
    const sum = (pick: (outcome: Outcome) => number) => runs.reduce((total, outcome) => total + pick(outcome), 0)
    return [mode, {answers: runs.length, applied: sum((o) => Number(o.applied)), fixed: sum((o) => Number(o.fixed)), tokens: sum((o) => o.completionTokens), seconds: Math.round(sum((o) => o.ms)) / 1000}]
  }),
)
if (flags.json) console.log(JSON.stringify({model: entry.name, summary, outcomes}, null, 2))
else {
  console.log(`model ${entry.name}, ${outcomes.length / 2} tasks`)
  for (const [mode, figures] of Object.entries(summary)) {
    console.log(`${mode.padEnd(10)} applied ${figures.applied}/${figures.answers}, reference fix ${figures.fixed}/${figures.answers}, ${figures.tokens} tokens, ${figures.seconds} s`)
  }
}
