/**
 * The real implementations behind the agent's ports: the LLM client over the configured
 * endpoints, the transactional workspace, the native text engine, the command sandbox and
 * redaction. Each adapter only translates shapes.
 */
import type {CommandRunner, MemoryPort, ModelClient, TextEngine, WorkspacePort} from '../agent/ports.js'
import type {TaskOutcome, TaskServices} from '../agent/run-task.js'
import type {Config} from '../config/schema.js'
import {createLlmClient, type UsageRecorder} from '../llm/index.js'
import type {TokenCounter} from '../llm/tokens.js'
import {learnFact, markUsed, memorySettings, recordOutcome} from '../memory/facts.js'
import {recall} from '../memory/recall.js'
import {applyEdits, applyPatch, diffLines, parsePatch} from '../native.js'
import {redactText} from '../secrets/redact.js'
import {openState, type StateDb} from '../state/db.js'
import {runCommand, useSandbox} from '../workspace/command-runner.js'
import {autoCommit, prepareTask} from '../workspace/git.js'
import {Workspace} from '../workspace/workspace.js'
import {workingTree} from '../workspace/working-tree.js'
import {type EmbedderChoice, embedderFor, searchIndexedCode} from './code-search.js'

/** What a run needs besides the event bus, which the run makes itself. */
export interface OpenedServices extends Omit<TaskServices, 'bus'> {
  /** Refuses to start on a repository mid-merge or mid-rebase. */
  prepare?(): Promise<void>
  /** Commits the task's files to git; returns the commit hash. */
  gitCommit?(outcome: TaskOutcome): Promise<string | null>
  close(): void
}

/** The native text engine: exact search/replace, patches that fail by hunk, git-compatible diffs. */
export const nativeEngine: TextEngine = {
  applyEdits: (original, edits) => applyEdits(original, edits, {flexibleWhitespace: true}).text,
  applyPatch: (original, patch) => applyPatch(original, patch, {ignoreWhitespace: true}).text,
  splitPatch: (patch) => parsePatch(patch, {recount: true}),
  diff: (before, after, path) => {
    const diff = diffLines(before, after, {aPath: before === '' ? '/dev/null' : path, bPath: path})
    return {unified: diff.unified, added: diff.added, removed: diff.removed}
  },
}

export function workspacePort(workspace: Workspace): WorkspacePort {
  return {
    root: workspace.root,
    begin: (options) => workspace.begin(options),
    refusal: (path) => workspace.guard.refusal(path),
    ...workingTree(workspace.root),
  }
}

/**
 * Commands run through the workspace's sandbox, rooted at the scratch tree (the repository
 * with the staged edits). An allow-listed command is checked against the allow-list here again,
 * so the agent cannot widen it; a declared test or benchmark command, or one a person approved,
 * is allowed by itself alone.
 */
export function sandboxRunner(config: Config): CommandRunner {
  return {
    confined: useSandbox(config.commandSandbox),
    async run(argv, options) {
      const result = await runCommand(argv, {
        root: options.cwd,
        allowed: options.source === 'allow-list' ? config.allowedCommands : [argv.join(' ')],
        timeoutMs: options.timeoutMs,
        outputBytes: config.commandOutputBytes,
        sandbox: config.commandSandbox,
        denyPaths: config.denyPaths,
      })
      const output = [result.stdout, result.stderr, result.error ?? ''].filter(Boolean).join('\n')
      return {exitCode: result.exitCode, output, timedOut: result.timedOut}
    },
  }
}

/** The repository's map and facts, kept in its state database; the map shows only files the workspace lets the agent see. */
export function memoryPort(db: StateDb, workspace: WorkspacePort, config: Config, tokens: Pick<TokenCounter, 'count'>): MemoryPort {
  const settings = memorySettings(config)
  // Connected on the first code search, once: most tasks never search code.
  let choice: Promise<EmbedderChoice> | undefined
  return {
    remember: (fact) => learnFact(db, {...fact, source: 'agent'}, settings),
    searchCode: async (query, options) => searchIndexedCode(workspace.root, db, query, {...options, choice: await (choice ??= embedderFor(config))}),
    recall: (task) =>
      recall({root: workspace.root, db, task, tokens, mapTokens: config.mapTokens, visible: (path) => workspace.refusal(path) === undefined, settings}),
    used: (factIds) => markUsed(db, factIds, settings),
    learn: async (fact) => {
      await recordOutcome(db, fact, settings)
    },
  }
}

/** onLlmCall: hears of every LLM call after the state database has recorded it (telemetry). */
export async function openServices(root: string, config: Config, options: {onLlmCall?: UsageRecorder} = {}): Promise<OpenedServices> {
  // First: a required bubblewrap that is missing throws before anything is opened.
  const runner = sandboxRunner(config)
  const db = openState(root)
  const workspace = Workspace.open(root, {db, denyPaths: config.denyPaths})
  const client = createLlmClient(config, db, {onCall: options.onLlmCall})
  const cheaper = config.cheaperModel ? createLlmClient({...config, model: config.cheaperModel}, db, {tokens: client.tokens, onCall: options.onLlmCall}) : undefined
  const port = workspacePort(workspace)
  return {
    db,
    workspace: port,
    engine: nativeEngine,
    runner,
    memory: memoryPort(db, port, config, client.tokens),
    redact: (text) => redactText(text, {allow: config.redactAllow}),
    model: client as ModelClient,
    cheaperModel: cheaper && config.cheaperModel ? {name: config.cheaperModel, client: cheaper as ModelClient} : undefined,
    prepare: async () => {
      await prepareTask(root)
    },
    gitCommit: async (outcome) => {
      const done = outcome.results.filter((result) => result.txId)
      return autoCommit(root, {
        taskId: outcome.taskId,
        title: outcome.results.find((result) => result.taskId === outcome.taskId)?.title ?? 'PyAgent task',
        transactionIds: done.map((result) => result.txId!),
        paths: [...new Set(done.flatMap((result) => result.files))].sort(),
      })
    },
    close: () => {
      cheaper?.close()
      client.close()
      workspace.close()
      db.close()
    },
  }
}
