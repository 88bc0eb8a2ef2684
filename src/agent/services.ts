/**
 * The real implementations behind the agent's ports: the LLM client over the configured
 * endpoints, the transactional workspace, the native text engine, the command sandbox and
 * redaction. Each adapter only translates shapes.
 */
import type {Config} from '../config/schema.js'
import {sqliteCapabilityStore} from '../llm/capability-store.js'
import {LlmClient} from '../llm/client.js'
import {sqliteUsageRecorder} from '../llm/usage-log.js'
import {openState} from '../state/db.js'
import {runCommand, useSandbox} from '../workspace/command-runner.js'
import {autoCommit, prepareTask} from '../workspace/git.js'
import {redactText} from '../secrets/redact.js'
import {Workspace} from '../workspace/workspace.js'
import {workingTree} from '../workspace/working-tree.js'
import type {CommandRunner, ModelClient, WorkspacePort} from './ports.js'
import type {OpenedServices} from './session.js'
import {nativeEngine} from './text-engine.js'

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
 * with the staged edits). The agent has already applied the allow-list and asked about the
 * rest, so the command it passes is the one allowed here.
 */
export function sandboxRunner(config: Config): CommandRunner {
  return {
    confined: useSandbox(config.commandSandbox),
    async run(argv, options) {
      const result = await runCommand(argv, {
        root: options.cwd,
        allowed: [argv.join(' ')],
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

export async function openServices(root: string, config: Config): Promise<OpenedServices> {
  // First: a required bubblewrap that is missing throws before anything is opened.
  const runner = sandboxRunner(config)
  const db = openState(root)
  const workspace = await Workspace.open(root, {db, denyPaths: config.denyPaths})
  const recordUsage = sqliteUsageRecorder(db)
  const capabilities = sqliteCapabilityStore(db)
  const client = new LlmClient({config, recordUsage, capabilities})
  const cheaper = config.cheaperModel
    ? new LlmClient({config: {...config, model: config.cheaperModel}, recordUsage, capabilities, tokens: client.tokens})
    : undefined
  return {
    db,
    workspace: workspacePort(workspace),
    engine: nativeEngine,
    runner,
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
