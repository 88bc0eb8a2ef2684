/**
 * Sets up a run of the agent over a temp git repository, with the real stack: the LLM client
 * talking to test/support's OpenAI-compatible server (replies scripted per test), the
 * transactional workspace, the native text engine and the command sandbox.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {onTestFinished} from 'vitest'

import type {AgentEvent} from '../../src/agent/events.js'
import {EventBus} from '../../src/agent/events.js'
import type {ChatRequest, ModelClient, Redactor} from '../../src/agent/ports.js'
import {runTask, type RunTaskOptions, type TaskOutcome} from '../../src/agent/run-task.js'
import {memoryPort, nativeEngine, sandboxRunner, workspacePort} from '../../src/app/services.js'
import {type Config, configSchema} from '../../src/config/schema.js'
import {LlmClient} from '../../src/llm/client.js'
import {TokenCounter} from '../../src/llm/tokens.js'
import {sqliteUsageRecorder} from '../../src/llm/usage-log.js'
import {openState, type StateDb} from '../../src/state/db.js'
import {Workspace} from '../../src/workspace/workspace.js'
import {type OpenAiTestServer, type RecordedRequest, type Reply, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo, type TempRepo} from '../support/temp-repo.js'
import type {ScriptedModel, ScriptedReply} from './support.js'

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
  /** The model's stand-in server: what it was sent, and how much of each answer it streamed. */
  server: OpenAiTestServer
}

export interface RunSetup {
  task?: string
  role?: RunTaskOptions['role']
  model: ScriptedModel
  /** Served under the model name `small`. */
  cheaperModel?: ScriptedModel
  files?: Record<string, string>
  options?: Partial<Omit<RunTaskOptions, 'settings' | 'budget'>> & {
    settings?: Partial<RunTaskOptions['settings']>
    budget?: Partial<RunTaskOptions['budget']>
  }
  onEvent?: (event: AgentEvent) => void
  /** What the run's services redact with; by default nothing is masked. */
  redact?: Redactor
  /** The workspace's deny rules (config denyPaths); none by default. */
  denyPaths?: readonly string[]
  /** Settings of the run's services (the command runner's sandbox, say). */
  config?: Partial<Config>
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

/** USD per million prompt tokens of the test model: a reply's costUsd is scripted as promptTokens = costUsd × 1000. */
const PRICE_PER_MTOK = 1000

/** Loading an encoding takes a second on a busy machine: one counter serves every run of the file. */
let tokens: TokenCounter | undefined

/** The request as the scripted model sees it; `sentSchema` is the JSON Schema the client sent for a JSON action. */
export type SeenRequest = ChatRequest & {sentSchema?: unknown}

function asRequest(body: any): SeenRequest {
  const sentSchema = body.response_format?.json_schema?.schema ?? body.structured_outputs?.json
  return {messages: body.messages, tools: body.tools, responseSchema: body.structured_outputs ? ({} as never) : undefined, sentSchema}
}

async function asReply(script: ScriptedModel, recorded: RecordedRequest): Promise<Reply> {
  let reply: ScriptedReply
  try {
    reply = await script.next(asRequest(recorded.body))
  } catch (error) {
    return {type: 'error', status: (error as {status?: number}).status ?? 500, message: (error as Error).message}
  }
  const promptTokens = reply.promptTokens ?? (reply.costUsd === undefined ? undefined : Math.round((reply.costUsd * 1e6) / PRICE_PER_MTOK))
  return {type: 'completion', text: reply.text, toolCalls: reply.toolCalls, tokenDelayMs: reply.delayMs, promptTokens}
}

export async function run(setup: RunSetup, prepared = prepare(setup.files)): Promise<Run> {
  const {repo, db} = prepared
  const server = await startOpenAiServer({
    onChat: (recorded) => asReply(recorded.body?.model === 'small' && setup.cheaperModel ? setup.cheaperModel : setup.model, recorded),
  })
  const config = configSchema.parse({
    ...setup.config,
    baseUrl: server.baseUrl,
    maxRetries: 0,
    prices: {'test-model': {inputPerMTok: PRICE_PER_MTOK, outputPerMTok: 0}},
  })
  const recordUsage = sqliteUsageRecorder(db)
  tokens ??= new TokenCounter(config.tokenEncoding)
  const client = new LlmClient({config, recordUsage, tokens})
  const cheap = setup.cheaperModel ? new LlmClient({config: {...config, model: 'small'}, recordUsage, tokens}) : undefined
  const workspace = await Workspace.open(repo.root, {db, denyPaths: setup.denyPaths})
  onTestFinished(async () => {
    client.close()
    cheap?.close()
    workspace.close()
    await server.close()
  })
  const redact = setup.redact ?? ((text: string) => text)
  const bus = new EventBus(db, redact)
  const events: AgentEvent[] = []
  bus.on((event) => events.push(event))
  if (setup.onEvent) bus.on(setup.onEvent)
  const {settings, budget, ...rest} = setup.options ?? {}
  const port = workspacePort(workspace)
  const outcome = await runTask(
    {
      db,
      workspace: port,
      engine: nativeEngine,
      runner: sandboxRunner(config),
      memory: memoryPort(db, port, config, client.tokens),
      redact,
      model: client as ModelClient,
      cheaperModel: cheap ? {name: 'small', client: cheap as ModelClient} : undefined,
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
        constrainEditSearch: false,
        memory: true,
        ...settings,
      },
    },
  )
  return {repo, db, events, outcome, server}
}
