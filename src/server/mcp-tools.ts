/**
 * PyAgent as MCP tools, for any MCP client: run a task (its result, transaction ids and diff),
 * review, undo, history, show, map and memory search on the repository the server was started
 * in. Each tool calls the same use case as its command; a PyAgent error comes back as a tool
 * error carrying its code, so a client can branch on it as a script branches on `--json`.
 */
import type {McpServer} from '@modelcontextprotocol/sdk/server/mcp.js'
import {z} from 'zod'

import {APPROVAL_MODES} from '../agent/approval.js'
import type {AgentEvent} from '../agent/events.js'
import {ROLE_NAMES} from '../agent/roles.js'
import {showTransaction, taskHistory} from '../app/history.js'
import {DEFAULT_MAP_TOKENS, mapRepository} from '../app/map.js'
import {searchMemory} from '../app/memory.js'
import {reviewChange} from '../app/review.js'
import {executeTask} from '../app/run.js'
import {undoInRepository, undoSummary} from '../app/undo.js'
import {loadConfig} from '../config/load.js'
import {isPyAgentError} from '../errors.js'

type ToolAnswer = {content: {type: 'text'; text: string}[]; isError?: boolean}

/** Objects go back as JSON text: what every client can show, and what `--json` prints. */
async function answer(job: () => unknown): Promise<ToolAnswer> {
  try {
    const value = await job()
    return {content: [{type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value, null, 2)}]}
  } catch (error) {
    const code = isPyAgentError(error) ? `${error.code}: ` : ''
    return {isError: true, content: [{type: 'text', text: `${code}${(error as Error).message}`}]}
  }
}

/**
 * A task as an MCP client sees it: nobody can be asked mid-run, so `approve` decides alone, as
 * under `--json`. The diff is each committed transaction's, as `pyagent show` gives it.
 */
async function runTaskFor(root: string, input: {task: string; role: (typeof ROLE_NAMES)[number] | 'auto'; approve: (typeof APPROVAL_MODES)[number]; commit: boolean}, signal: AbortSignal) {
  const config = loadConfig({repoRoot: root}).config
  const notices: string[] = []
  const events: AgentEvent[] = []
  const run = await executeTask(
    root,
    config,
    {task: input.task, role: input.role, priority: 'normal', approve: input.approve, gitCommit: input.commit},
    {event: (event) => events.push(event), notice: (text) => notices.push(text)},
    {embedded: true, signal},
  )
  const transactions = run.outcome.results.flatMap((result) => (result.txId ? [result.txId] : []))
  return {
    status: run.outcome.status,
    exitCode: run.exitCode,
    taskId: run.outcome.taskId,
    summary: run.outcome.summary,
    transactions,
    files: [...new Set(run.outcome.results.flatMap((result) => result.files))],
    diff: transactions.map((id) => showTransaction(root, id).diff).join(''),
    ...(run.commit ? {commit: run.commit} : {}),
    tokens: run.outcome.tokens,
    costUsd: run.outcome.costUsd,
    notices,
    refused: events.flatMap((event) => (event.type === 'approval' && !event.approved ? [`${event.kind}: ${event.subject}`] : [])),
  }
}

export function registerPyAgentTools(server: McpServer, root: string): void {
  server.registerTool(
    'run',
    {
      description:
        'Run a PyAgent task on the repository: the agent reads, edits (in one transaction that commits only when the tests and a review pass) and reports. Returns status, summary, transaction ids, files and the diff; `undo` reverses it.',
      inputSchema: {
        task: z.string().min(1).describe('What to do'),
        role: z.enum([...ROLE_NAMES, 'auto']).default('coder').describe('coder (default), analyst (read-only), perf, legal, cost, or auto (plans sub-tasks)'),
        approve: z.enum(APPROVAL_MODES).default('edits').describe('What runs without asking (nobody can be asked here): none, edits (default), commands, all'),
        commit: z.boolean().default(false).describe('Commit the task\'s files to git when it succeeds'),
      },
    },
    (input, extra) => answer(() => runTaskFor(root, input, extra.signal)),
  )
  server.registerTool(
    'undo',
    {
      description: 'Roll back a transaction, or every transaction of a task, restoring the files; refuses when they changed since, unless force.',
      inputSchema: {ref: z.string().min(4).describe('Transaction or task id, or a unique prefix of 4+ characters'), force: z.boolean().default(false)},
    },
    ({ref, force}) => answer(async () => undoSummary(await undoInRepository(root, loadConfig({repoRoot: root}).config, ref, {force}))),
  )
  server.registerTool(
    'history',
    {description: 'Tasks and their transactions, newest first: files touched, lines added and removed, undo links.', inputSchema: {limit: z.int().min(1).default(20)}},
    ({limit}) => answer(() => taskHistory(root, limit)),
  )
  server.registerTool(
    'show',
    {description: 'One transaction: its task, status, files and diff.', inputSchema: {tx: z.string().min(4).describe('Transaction id or a unique prefix')}},
    ({tx}) => answer(() => showTransaction(root, tx)),
  )
  server.registerTool(
    'review',
    {
      description: 'Review the staged change (or what HEAD adds since its merge base with `base`): secrets, complexity, licences; with llm, an LLM reviewer comments too.',
      inputSchema: {base: z.string().optional().describe('A git ref; default: the staged change'), llm: z.boolean().default(false)},
    },
    ({base, llm}) => answer(() => reviewChange({cwd: root, base, llm})),
  )
  server.registerTool(
    'map',
    {
      description: 'The repository map: signatures of the definitions that matter most for a task, cut to a token budget.',
      inputSchema: {task: z.string().optional(), tokens: z.int().min(1).default(DEFAULT_MAP_TOKENS)},
    },
    ({task, tokens}) => answer(async () => (await mapRepository(root, {task, tokenBudget: tokens})).text),
  )
  server.registerTool(
    'memory_search',
    {description: 'Search what PyAgent has learnt about this repository (facts, strongest matches first).', inputSchema: {query: z.string().min(1), limit: z.int().min(1).default(10)}},
    ({query, limit}) => answer(() => searchMemory(root, loadConfig({repoRoot: root}).config, query, {limit})),
  )
}
