/** Sets up a run of the agent over a temp git repository with scripted ports, and collects what it reports. */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {onTestFinished} from 'vitest'

import type {AgentEvent} from '../../src/agent/events.js'
import {EventBus} from '../../src/agent/events.js'
import type {CheaperModel} from '../../src/agent/loop.js'
import type {ModelClient} from '../../src/agent/ports.js'
import {runTask, type RunTaskOptions, type TaskOutcome} from '../../src/agent/run-task.js'
import {openState, type StateDb} from '../../src/state/db.js'
import {tempRepo, type TempRepo} from '../support/temp-repo.js'
import {execaRunner, fsWorkspace, jsdiffEngine} from './support.js'

export const FIXTURE = {
  'src/add.js': 'export function add(a, b) {\n  return a - b\n}\n',
  'src/greet.js': "export function greet(name) {\n  return 'hi ' + name\n}\n",
  'test.js': [
    "import {add} from './src/add.js'",
    "import {greet} from './src/greet.js'",
    "if (add(2, 3) !== 5) { console.error('add(2, 3) should be 5, got ' + add(2, 3)); process.exit(1) }",
    "if (greet('bo') !== 'hello bo') { console.error('greet is wrong: ' + greet('bo')); process.exit(1) }",
    "console.log('all tests pass')",
  ].join('\n'),
  'package.json': '{"type": "module"}\n',
}

export interface Run {
  repo: TempRepo
  db: StateDb
  events: AgentEvent[]
  outcome: TaskOutcome
}

export interface RunSetup {
  task?: string
  role?: RunTaskOptions['role']
  model: ModelClient
  cheaperModel?: CheaperModel
  files?: Record<string, string>
  options?: Partial<Omit<RunTaskOptions, 'settings' | 'budget'>> & {
    settings?: Partial<RunTaskOptions['settings']>
    budget?: Partial<RunTaskOptions['budget']>
  }
  onEvent?: (event: AgentEvent) => void
}

export function read(repo: TempRepo, path: string): string {
  return readFileSync(join(repo.root, path), 'utf8')
}

export function prepare(files: Record<string, string> = FIXTURE) {
  const repo = tempRepo(files)
  const db = openState(repo.root)
  onTestFinished(() => db.close())
  return {repo, db}
}

export async function run(setup: RunSetup, prepared = prepare(setup.files)): Promise<Run> {
  const {repo, db} = prepared
  const bus = new EventBus(db)
  const events: AgentEvent[] = []
  bus.on((event) => events.push(event))
  if (setup.onEvent) bus.on(setup.onEvent)
  const {settings, budget, ...rest} = setup.options ?? {}
  const outcome = await runTask(
    {
      db,
      workspace: fsWorkspace(repo.root),
      engine: jsdiffEngine,
      runner: execaRunner,
      redact: (text) => text,
      model: setup.model,
      cheaperModel: setup.cheaperModel,
      bus,
    },
    {
      task: setup.task ?? 'Fix add and make greet say hello',
      role: setup.role ?? 'coder',
      priority: 'normal',
      concurrency: 2,
      maxDepth: 2,
      signal: new AbortController().signal,
      approve: async () => true,
      ...rest,
      budget: {maxSteps: 20, maxTokens: 100_000, maxCostUsd: 0, timeoutSec: 600, ...budget},
      settings: {
        protocol: 'tools',
        allowedCommands: ['node', 'git status'],
        testCommand: 'node test.js',
        benchmarkCommand: undefined,
        perfMarginPct: 5,
        maxRevisions: 2,
        commandTimeoutMs: 20_000,
        ...settings,
      },
    },
  )
  return {repo, db, events, outcome}
}
