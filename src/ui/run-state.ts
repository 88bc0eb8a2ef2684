/**
 * What the TUI shows, folded from the run's events: a transcript of streamed text, tool calls
 * with their status, diffs, checks and verdicts; the token and cost counter; a pending approval.
 * A pure reducer, so the TUI's logic is tested without a terminal.
 */
import type {AgentEvent, RunStatus} from '../agent/events.js'
import type {ApprovalKind} from '../agent/tools/index.js'
import {describeMemory} from './memory-line.js'

export type Entry =
  | {kind: 'text'; taskId: string; text: string}
  | {kind: 'tool'; taskId: string; callId: string; tool: string; detail: string; status: 'running' | 'ok' | 'error' | 'refused'; output: string}
  | {kind: 'diff'; taskId: string; path: string; unified: string; added: number; removed: number}
  | {kind: 'note'; taskId: string; tone: 'info' | 'good' | 'bad'; text: string}

export interface ApprovalRequest {
  kind: ApprovalKind
  subject: string
  respond(approved: boolean): void
}

export interface RunState {
  entries: Entry[]
  tasks: Record<string, {title: string; role: string; depth: number; status?: RunStatus}>
  tokens: number
  costUsd: number
  approval?: ApprovalRequest
  rootId?: string
  finished?: {status: RunStatus; summary: string}
}

export type FeedItem = AgentEvent | {type: 'approval_request'; request: ApprovalRequest}

export const initialRunState: RunState = {entries: [], tasks: {}, tokens: 0, costUsd: 0}

/** A one-line view of a tool call's arguments: the path or command when there is one. */
function describeArguments(args: unknown): string {
  if (typeof args !== 'object' || args === null) return String(args ?? '')
  const record = args as Record<string, unknown>
  for (const key of ['path', 'command', 'pattern', 'directory', 'summary']) {
    if (typeof record[key] === 'string') return record[key] as string
  }
  return ''
}

function updateTool(entries: Entry[], callId: string, patch: Partial<Extract<Entry, {kind: 'tool'}>>): Entry[] {
  return entries.map((entry) => (entry.kind === 'tool' && entry.callId === callId ? {...entry, ...patch} : entry))
}

export function reduceRun(state: RunState, item: FeedItem): RunState {
  switch (item.type) {
    case 'approval_request':
      return {...state, approval: item.request}
    case 'task_started':
      return {
        ...state,
        rootId: state.rootId ?? item.taskId,
        tasks: {...state.tasks, [item.taskId]: {title: item.title, role: item.role, depth: item.depth}},
        entries: item.parentId ? [...state.entries, {kind: 'note', taskId: item.taskId, tone: 'info', text: `▶ ${item.role}: ${item.title}`}] : state.entries,
      }
    case 'text': {
      const last = state.entries.at(-1)
      if (last?.kind === 'text' && last.taskId === item.taskId) {
        return {...state, entries: [...state.entries.slice(0, -1), {...last, text: last.text + item.delta}]}
      }
      return {...state, entries: [...state.entries, {kind: 'text', taskId: item.taskId, text: item.delta}]}
    }
    case 'tool_call':
      if (item.tool === 'finish') return state
      return {
        ...state,
        entries: [...state.entries, {kind: 'tool', taskId: item.taskId, callId: item.callId, tool: item.tool, detail: describeArguments(item.arguments), status: 'running', output: ''}],
      }
    case 'tool_result':
      return {...state, entries: updateTool(state.entries, item.callId, {status: item.status, output: item.output})}
    case 'diff':
      return {...state, entries: [...state.entries, {kind: 'diff', taskId: item.taskId, path: item.path, unified: item.unified, added: item.added, removed: item.removed}]}
    case 'usage':
      return {...state, tokens: item.totalTokens, costUsd: item.totalCostUsd}
    case 'approval':
      return {...state, approval: undefined}
    case 'check':
      return note(state, item.taskId, item.passed ? 'good' : 'bad', `${item.passed ? '✔' : '✖'} ${item.name}${item.passed ? '' : `: ${firstLines(item.detail)}`}`)
    case 'reflection':
      return note(state, item.taskId, item.verdict === 'approve' ? 'good' : 'bad', `review round ${item.round}: ${item.verdict}${item.feedback ? ` — ${item.feedback}` : ''}`)
    case 'protocol':
      return note(state, item.taskId, 'info', `switched to JSON actions: ${item.reason}`)
    case 'model_switch':
      return note(state, item.taskId, 'info', `moved to the cheaper model ${item.model} (${item.reason})`)
    case 'plan':
      return note(state, item.taskId, 'info', `plan: ${item.subtasks.map((subtask) => `${subtask.key} (${subtask.role})`).join(', ')}`)
    case 'subtask_refused':
      return note(state, item.taskId, 'bad', `refused sub-task "${item.title}": ${item.reason}`)
    case 'committed':
      return note(state, item.taskId, 'good', `committed ${item.files.length} file(s) in transaction ${item.txId.slice(0, 8)}`)
    case 'rolled_back':
      return note(state, item.taskId, 'bad', `rolled back: ${item.reason}`)
    case 'memory_used':
      return note(state, item.taskId, item.problem ? 'bad' : 'info', `memory: ${describeMemory(item)}`)
    case 'task_finished': {
      const task = state.tasks[item.taskId]
      const tasks = task ? {...state.tasks, [item.taskId]: {...task, status: item.status}} : state.tasks
      const finished = item.taskId === state.rootId ? {status: item.status, summary: item.summary} : state.finished
      return {...state, tasks, finished}
    }
    case 'step_started':
      return state
    case 'assistant_message':
    case 'commands_unconfined':
      // Said on stderr before the view was shown.
      return state
  }
}

function note(state: RunState, taskId: string, tone: 'info' | 'good' | 'bad', text: string): RunState {
  return {...state, entries: [...state.entries, {kind: 'note', taskId, tone, text}]}
}

function firstLines(text: string, count = 3): string {
  return text.split('\n').filter(Boolean).slice(-count).join(' | ')
}
