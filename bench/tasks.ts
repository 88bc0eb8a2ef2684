/**
 * The task benchmark: does PyAgent fix bugs? Runs `pyagent run` on each task of
 * bench/tasks/catalog in a fresh repository and judges it by hidden tests.
 *
 *   npx tsx bench/tasks.ts [--endpoint URL] [--model M] [--tasks GLOB] [--jobs N]
 *                          [--max-steps N] [--timeout SEC] [--replay] [--check] [--json]
 *
 * --endpoint   an OpenAI-compatible /v1 URL (vLLM…); none: the embedded model
 * --tasks      a glob over task ids, e.g. 'py-*' or '*-off-by-one'
 * --replay     play scripted model answers (the reference fix as tool calls) from a local test
 *              server: tests the harness itself, no model needed
 * --check      prove the catalog: each task's tests fail as given and pass with its reference fix
 */
import picomatch from 'picomatch'
import {parseArgs} from 'node:util'

import {startOpenAiServer} from '../test/support/openai-server.js'
import {TASKS} from './tasks/catalog/index.js'
import {checkTask} from './tasks/repo.js'
import {replayOfFix, runTask, type RunOptions, type TaskOutcome} from './tasks/run.js'
import type {BenchTask} from './tasks/task.js'

const {values: flags} = parseArgs({
  options: {
    endpoint: {type: 'string'},
    model: {type: 'string'},
    tasks: {type: 'string', default: '*'},
    jobs: {type: 'string', default: '1'},
    'max-steps': {type: 'string', default: '12'},
    timeout: {type: 'string', default: '600'},
    replay: {type: 'boolean', default: false},
    check: {type: 'boolean', default: false},
    json: {type: 'boolean', default: false},
  },
})

const matches = picomatch(flags.tasks!)
const selected = TASKS.filter((task) => matches(task.id))
if (selected.length === 0) {
  console.error(`No task id matches ${flags.tasks}; ids look like ${TASKS.slice(0, 3).map((task) => task.id).join(', ')}`)
  process.exit(2)
}

async function inPool<T, R>(items: readonly T[], jobs: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({length: Math.min(jobs, items.length)}, async () => {
      while (next < items.length) {
        const index = next++
        results[index] = await work(items[index]!)
      }
    }),
  )
  return results
}

async function replayed(task: BenchTask, options: RunOptions): Promise<TaskOutcome> {
  const server = await startOpenAiServer()
  try {
    server.enqueue(...replayOfFix(task.fix))
    return await runTask(task, {...options, endpoint: server.baseUrl, config: {actionProtocol: 'tools'}})
  } finally {
    await server.close()
  }
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '—' : `${((100 * part) / whole).toFixed(0)}%`
}

function summarise(outcomes: readonly TaskOutcome[]) {
  const sum = (pick: (outcome: TaskOutcome) => number) => outcomes.reduce((total, outcome) => total + pick(outcome), 0)
  const byLanguage = Object.fromEntries(
    [...new Set(outcomes.map((outcome) => outcome.language))].map((language) => {
      const of = outcomes.filter((outcome) => outcome.language === language)
      return [language, {solved: of.filter((outcome) => outcome.solved).length, tasks: of.length}]
    }),
  )
  const endings: Record<string, number> = {}
  for (const outcome of outcomes) endings[outcome.ended] = (endings[outcome.ended] ?? 0) + 1
  return {
    tasks: outcomes.length,
    solved: outcomes.filter((outcome) => outcome.solved).length,
    byLanguage,
    editsProposed: sum((outcome) => outcome.editsProposed),
    editsApplied: sum((outcome) => outcome.editsApplied),
    steps: sum((outcome) => outcome.steps),
    tokens: sum((outcome) => outcome.tokens),
    wallSeconds: Number((sum((outcome) => outcome.wallMs) / 1000).toFixed(1)),
    endings,
  }
}

if (flags.check) {
  let bad = 0
  for (const task of selected) {
    const problems = checkTask(task)
    bad += problems.length > 0 ? 1 : 0
    console.log(`${problems.length === 0 ? 'ok  ' : 'BAD '} ${task.id}${problems.map((problem) => `\n     ${problem}`).join('')}`)
  }
  console.log(`${selected.length - bad} passed, ${bad} failed`)
  process.exit(bad === 0 ? 0 : 1)
}

const options: RunOptions = {endpoint: flags.endpoint, model: flags.model, maxSteps: Number(flags['max-steps']), timeoutSec: Number(flags.timeout)}
const outcomes = await inPool(selected, Number(flags.jobs), async (task) => {
  const outcome = flags.replay ? await replayed(task, options) : await runTask(task, options)
  if (!flags.json) {
    const edits = `${outcome.editsApplied}/${outcome.editsProposed} edits`
    console.log(
      `${outcome.solved ? 'solved  ' : 'unsolved'} ${outcome.id.padEnd(30)} ${outcome.ended.padEnd(16)} ${String(outcome.steps).padStart(3)} steps ${String(outcome.tokens).padStart(7)} tok ${(outcome.wallMs / 1000).toFixed(1).padStart(6)} s  ${edits}${outcome.note ? `  ${outcome.note}` : ''}`,
    )
  }
  return outcome
})
const summary = summarise(outcomes)
if (flags.json) {
  console.log(JSON.stringify({summary, tasks: outcomes}, null, 2))
} else {
  const languages = Object.entries(summary.byLanguage).map(([language, {solved, tasks}]) => `${language} ${solved}/${tasks}`).join(', ')
  console.log(
    `\nsolved ${summary.solved}/${summary.tasks} (${percent(summary.solved, summary.tasks)}): ${languages}; ` +
      `edits applied ${summary.editsApplied}/${summary.editsProposed} (${percent(summary.editsApplied, summary.editsProposed)}); ` +
      `${summary.steps} steps, ${summary.tokens} tokens, ${summary.wallSeconds} s; ended ${JSON.stringify(summary.endings)}`,
  )
}
