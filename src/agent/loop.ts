/**
 * One agent working one task: messages → model (native tool calls, or one JSON action per turn)
 * → tools → observations, until the model calls finish or a budget runs out. Its edits stay in
 * one transaction that commits only after the role's acceptance rule and the critic approve.
 */
import {performance} from 'node:perf_hooks'

import {isPyAgentError} from '../errors.js'
import {collectChat} from '../llm/index.js'
import {renderNestedInstructions, renderRootInstructions, type RepoInstructions} from '../memory/instructions.js'
import type {FactKind} from '../memory/facts.js'
import {generatedPathFact, passingTestFacts, saysGenerated} from '../memory/outcomes.js'
import type {Recalled} from '../memory/recall.js'
import {splitCommand} from '../workspace/command-policy.js'
import type {Budget} from './budget.js'
import {editGuardFor} from './edit-guard.js'
import type {AgentEvent, EventBus, RunStatus} from './events.js'
import {type Bounded, bound} from './output-limit.js'
import type {ChatMessage, ToolDefinition, ChatUsage, CommandRunner, MemoryPort, ModelClient, TextEngine, WorkspacePort} from './ports.js'
import {type ActionProtocol, actionSchema, systemPrompt, taskMessage, toolDefinitions} from './prompt.js'
import {critique} from './reflection.js'
import type {Role} from './roles.js'
import {ScratchTree} from './scratch.js'
import {tidySummary} from './summary.js'
import {applyPatchTool} from './tools/apply-patch.js'
import {editArgumentsFor, editTool} from './tools/edit.js'
import {readFileTool} from './tools/read-file.js'
import {rememberTool} from './tools/remember.js'
import {writeFileTool} from './tools/write-file.js'
import {type ApprovalKind, runTests, scratchFor, type Tool, type ToolContext, ToolError, ToolRefused} from './tools/index.js'

export interface CheaperModel {
  name: string
  client: ModelClient
}

export interface AgentSettings {
  protocol: ActionProtocol | 'auto'
  allowedCommands: readonly string[]
  testCommand: string | undefined
  benchmarkCommand: string | undefined
  perfMarginPct: number
  maxRevisions: number
  commandTimeoutMs: number
  /** Send each JSON action's edit `search` as text that occurs once in the file (only the embedded engine decodes under it). */
  constrainEditSearch: boolean
  /** Give the task the map and facts, offer the remember tool, learn from the checks (run --no-memory: off). */
  memory: boolean
}

export interface AgentOptions {
  taskId: string
  task: string
  role: Role
  /** Tools known only at run time (an MCP server's), offered beside the role's own. */
  runtimeTools?: readonly Tool[]
  model: ModelClient
  cheaperModel?: CheaperModel
  /** The critic; the task's model when not given. */
  critic?: ModelClient
  workspace: WorkspacePort
  engine: TextEngine
  runner: CommandRunner
  memory: MemoryPort
  /** Files earlier tasks of this run committed (see ToolContext.landed). */
  landed: ReadonlySet<string>
  bus: EventBus
  budget: Budget
  signal: AbortSignal
  settings: AgentSettings
  /** The root's go in the system prompt; a directory's below it, with the first result that touches a file under it. */
  instructions: RepoInstructions
  approve(kind: ApprovalKind, subject: string): Promise<boolean>
}

export interface AgentResult {
  status: RunStatus
  summary: string
  txId?: string
  files: string[]
  /** The commit found a file changed since it was read (by a parallel task, say); a fresh attempt may succeed. */
  collided?: boolean
}

interface Action {
  id: string
  name: string
  args: {ok: true; value: Record<string, unknown>} | {ok: false; error: string}
  /** The edit guard stopped this call while it streamed: its result, in place of running it. */
  stopped?: string
}

interface Turn {
  text: string
  actions: Action[]
  /** For the JSON protocol: why the answer is not a valid action. */
  invalid?: string
  /** The answer ran into its max_tokens: whatever it started is dropped. */
  truncated?: boolean
}

/** A turn cut at its token bound gets one retry with this reminder; a second in a row ends the run. */
const TRUNCATED_REMINDER =
  'Your answer ran past the per-turn token limit and was cut off, so none of it was used. Answer again, briefly: one action, no long explanation or file dump.'


/** How many of the files touched last an edit may target under the substring constraint. */
const EDIT_TARGETS = 3
const TOUCHING_TOOLS = new Set([readFileTool.name, editTool.name, writeFileTool.name])

class Interrupted extends Error {}

/** What the finish of a task leads to: keep working on feedback, or end with a result. */
type Conclusion = {kind: 'revise'; feedback: string} | {kind: 'end'; result: AgentResult}

/** A protocol switch is only safe before the first answer, and only for errors that say the server lacks tool parsing. */
function lacksToolParser(error: unknown): boolean {
  const status = (error as {status?: number}).status
  return status === 400 && /tool/i.test((error as Error).message)
}

/** A 200 whose stream brought nothing usable: llama.cpp's server answers a streamed request with tools so. */
function emptyStream(error: unknown): boolean {
  return isPyAgentError(error, 'E_LLM_STREAM')
}

export class Agent {
  private readonly tools: readonly Tool[]
  private protocol: ActionProtocol
  private model: ModelClient
  private switchedModel = false
  private readonly messages: ChatMessage[] = []
  private readonly scratch: ScratchTree
  private readonly tx
  private readonly context: ToolContext
  private revisions = 0
  private txOpen = true
  private step = 0
  private readonly diffs = new Map<string, string>()
  /** What a person answered this task, by question. */
  private readonly answers = new Map<string, boolean>()
  /** Each staged file's content before this task's first edit to it: the repository's, as the transaction read it. */
  private readonly originals = new Map<string, string>()

  constructor(private readonly options: AgentOptions) {
    this.tools = [...options.role.tools, ...(options.runtimeTools ?? [])]
    this.protocol = options.settings.protocol === 'json' ? 'json' : 'tools'
    this.model = options.model
    this.scratch = new ScratchTree(options.workspace.root)
    this.tx = options.workspace.begin({taskId: options.taskId, message: options.task})
    this.context = {
      taskId: options.taskId,
      workspace: options.workspace,
      tx: this.tx,
      scratch: this.scratch,
      engine: options.engine,
      runner: options.runner,
      memory: options.memory,
      landed: options.landed,
      allowedCommands: options.settings.allowedCommands,
      testCommand: options.settings.testCommand,
      commandTimeoutMs: options.settings.commandTimeoutMs,
      approve: async (kind, subject) => {
        // One question per command (or edit) and the files it would run over: a person asked about
        // `npm test` over src/a.js is not asked again each time the model runs it.
        const key = `${kind}\0${subject}`
        const known = this.answers.get(key)
        if (known !== undefined) return known
        const approved = await options.approve(kind, subject)
        this.answers.set(key, approved)
        this.emit({type: 'approval', taskId: options.taskId, kind, subject, approved})
        return approved
      },
      onDiff: (path, before, after) => this.reportDiff(path, before, after),
      signal: options.signal,
    }
  }

  private emit(event: AgentEvent): void {
    this.options.bus.emit(event)
  }

  private get id(): string {
    return this.options.taskId
  }

  /** Built once: every request of this task starts with these same bytes. */
  private definitions: ToolDefinition[] = []
  private schema!: ReturnType<typeof actionSchema>

  /** Files this task read or wrote, most recent last: the edit targets whose text constrains `search`. */
  private readonly touched: string[] = []

  private truncatedInARow = 0
  /** False once the server showed it cannot stream tool calls. */
  private streamTools = true

  /**
   * `auto` starts without streaming on a server an earlier run found to stream no tool calls, and
   * with JSON actions on one known to leave tool-call arguments unconstrained.
   */
  private async chooseProtocol(): Promise<void> {
    if (this.options.settings.protocol !== 'auto' || this.protocol !== 'tools') return
    if ((await this.model.streamsToolCalls?.(this.options.signal).catch(() => undefined)) === false) {
      this.streamTools = false
      this.emit({type: 'protocol', taskId: this.id, protocol: 'tools', reason: 'an earlier run found that this server streams no tool calls; asking without streaming'})
    }
    const reason = await this.model.toolCallsUnconstrained?.(this.options.signal).catch(() => undefined)
    if (reason === undefined) return
    this.protocol = 'json'
    await this.prepareConversation()
    this.emit({type: 'protocol', taskId: this.id, protocol: 'json', reason: `${reason}; JSON actions go out under a schema it does constrain`})
  }

  private async switchToJson(reason: string): Promise<Turn> {
    this.protocol = 'json'
    await this.prepareConversation()
    this.emit({type: 'protocol', taskId: this.id, protocol: 'json', reason})
    return this.callModel()
  }

  /**
   * The tools the model is offered, and the only ones it may call. Where edits are constrained, a
   * patch is not (the engine cannot hold a diff's context lines to the file): `edit` does the same
   * job and always applies. Without memory there is nothing to remember into.
   */
  private get offered(): readonly Tool[] {
    const {constrainEditSearch, memory} = this.options.settings
    return this.tools.filter((tool) => !(constrainEditSearch && tool.name === applyPatchTool.name) && !(!memory && tool.name === rememberTool.name))
  }

  /** What memory gave this task, fixed at its start: every request of the task begins with the same bytes. */
  private recalled: Recalled = {facts: []}

  /**
   * Asks memory once, before the first request, and says what went into the prompt. A memory that
   * cannot answer (an unreadable folder, a damaged cache) costs the task its map, not its run.
   */
  private async recallMemory(): Promise<void> {
    const instructions = this.options.instructions.atRoot().map((file) => file.path)
    if (!this.options.settings.memory) {
      if (instructions.length > 0) this.emit({type: 'memory_used', taskId: this.id, instructions, facts: []})
      return
    }
    let problem: string | undefined
    try {
      this.recalled = await this.options.memory.recall(this.options.task)
    } catch (error) {
      problem = `memory could not be read, so the task starts without its map and facts: ${(error as Error).message}`
    }
    const {map, facts} = this.recalled
    if (!map && facts.length === 0 && instructions.length === 0 && !problem) return
    this.emit({
      type: 'memory_used',
      taskId: this.id,
      instructions,
      ...(map ? {map: {tokens: map.tokens, files: map.files, definitions: map.definitions}} : {}),
      facts,
      ...(problem ? {problem} : {}),
    })
  }

  private async prepareConversation(): Promise<void> {
    this.definitions = toolDefinitions(this.offered)
    this.schema = actionSchema(this.offered)
    const instructions = renderRootInstructions(this.options.instructions.atRoot())
    const system = systemPrompt({role: this.options.role, protocol: this.protocol, instructions, tools: this.offered})
    this.messages.length = 0
    this.messages.push({role: 'system', content: system}, {role: 'user', content: taskMessage(this.options.task, this.recalled)})
  }

  async run(): Promise<AgentResult> {
    try {
      await this.recallMemory()
      await this.prepareConversation()
      await this.chooseProtocol()
      if (this.options.settings.constrainEditSearch) await this.noteMentionedFiles()
      const baseline = this.options.role.acceptance === 'faster' ? await this.benchmark() : undefined
      for (;;) {
        const stop = this.budgetStop()
        if (stop) return this.end('budget_exhausted', stop)
        this.options.budget.addStep()
        this.step++
        this.emit({type: 'step_started', taskId: this.id, step: this.step})
        const turn = await this.nextTurn()
        if (turn.truncated) {
          if (this.truncatedInARow++ > 0) {
            return this.end('failed', 'the model ran past the per-turn token limit twice in a row (completionReserveTokens); its answers were cut and nothing was used')
          }
          this.messages.push({role: 'user', content: TRUNCATED_REMINDER})
          continue
        }
        this.truncatedInARow = 0
        if (turn.invalid) {
          this.messages.push({role: 'user', content: `That was not a valid action: ${turn.invalid}. Answer with one JSON action.`})
          continue
        }
        if (turn.actions.length === 0) {
          this.messages.push({role: 'user', content: 'Use the tools to make progress; call finish when the task is done.'})
          continue
        }
        const finished = await this.execute(turn.actions)
        if (finished === undefined) continue
        const conclusion = await this.conclude(finished, baseline)
        if (conclusion.kind === 'end') return conclusion.result
        this.revisions++
        this.messages.push({role: 'user', content: conclusion.feedback})
      }
    } catch (error) {
      if (this.options.signal.aborted || error instanceof Interrupted) return this.end('interrupted', 'interrupted by the user; nothing was written')
      const result = this.end('failed', (error as Error).message)
      return isPyAgentError(error, 'E_TX_COLLISION', 'E_TX_LOCKED') ? {...result, collided: true} : result
    } finally {
      this.scratch.dispose()
    }
  }

  /** Ends the task without committing: whatever is staged is dropped. */
  private end(status: RunStatus, summary: string): AgentResult {
    if (this.txOpen) {
      const staged = this.tx.changes().length
      this.closeTransaction()
      if (staged > 0) this.emit({type: 'rolled_back', taskId: this.id, reason: summary})
    }
    return {status, summary, files: []}
  }

  private closeTransaction(): void {
    this.txOpen = false
    this.tx.rollback()
  }

  private budgetStop(): string | undefined {
    const {budget} = this.options
    const exhausted = budget.exhausted()
    if (exhausted) return budget.describe(exhausted)
    if (this.options.role.budgetPolicy === 'downshift' && budget.spentShare() >= 0.8) {
      const cheaper = this.options.cheaperModel
      if (!cheaper) return `cost monitor: ${Math.round(budget.spentShare() * 100)}% of the budget spent and no cheaperModel configured; stopping`
      if (!this.switchedModel) {
        this.switchedModel = true
        this.model = cheaper.client
        this.emit({type: 'model_switch', taskId: this.id, model: cheaper.name, reason: `${Math.round(budget.spentShare() * 100)}% of the budget spent`})
      }
    }
    return undefined
  }

  private recordUsage(usage: ChatUsage): void {
    const cost = usage.costUsd ?? 0
    this.options.budget.addUsage(this.id, usage.totalTokens, cost)
    this.emit({
      type: 'usage',
      taskId: this.id,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      costUsd: cost,
      totalTokens: this.options.budget.tokens,
      totalCostUsd: this.options.budget.costUsd,
    })
  }

  /**
   * `auto` settles how to talk to the server on the first turn: tools, streamed; tools without
   * streaming when a streamed request brings nothing; JSON actions when the server refuses tools
   * or answers them with prose. Each switch is an event that says why.
   */
  private async nextTurn(): Promise<Turn> {
    const deciding = this.options.settings.protocol === 'auto' && this.protocol === 'tools' && this.step === 1
    try {
      const turn = await this.callModel()
      if (deciding && turn.actions.length === 0 && !turn.truncated) {
        return this.switchToJson(`the server answered the tools with prose (${JSON.stringify(turn.text.slice(0, 80))}): it ignores them`)
      }
      const broken = turn.actions.find((action) => !action.args.ok)
      if (deciding && broken) {
        // The server does not constrain tool-call arguments; JSON actions go out under a schema it honours.
        return this.switchToJson(`the server's tool call ${broken.name} came with arguments that are not JSON: it does not constrain them`)
      }
      return turn
    } catch (error) {
      if (deciding && this.streamTools && emptyStream(error)) {
        this.streamTools = false
        await this.model.rememberToolStreaming?.(false).catch(() => undefined)
        this.emit({type: 'protocol', taskId: this.id, protocol: 'tools', reason: `a streamed request with tools brought nothing (${(error as Error).message}); asking without streaming`})
        return this.nextTurn()
      }
      if (deciding && (lacksToolParser(error) || emptyStream(error))) return this.switchToJson((error as Error).message)
      // The model sees what was wrong with its answer, not the client's "LLM structured_output error at <url>" framing.
      const failure = error as {kind?: string; detail?: string; message: string}
      if (failure.kind === 'structured_output') return {text: '', actions: [], invalid: failure.detail ?? failure.message}
      throw error
    }
  }

  private async callModel(): Promise<Turn> {
    const json = this.protocol === 'json'
    const schema = this.actionSchemaNow()
    const request = json
      ? {messages: this.messages, responseSchema: schema}
      : {messages: this.messages, tools: this.definitions, toolChoice: 'auto' as const, ...(this.streamTools ? {} : {stream: false})}
    // Streamed tool calls only: elsewhere the whole answer arrives before anything could be stopped.
    const guard = json || !this.streamTools ? undefined : editGuardFor(this.context, this.tools)
    const answer = await collectChat(this.model.chat({...request, signal: this.options.signal, cutShort: guard?.signal, taskId: this.id, conversationId: this.id}), {
      onText: (delta) => {
        if (!json) this.emit({type: 'text', taskId: this.id, delta})
      },
      onUsage: (usage) => this.recordUsage(usage),
      onToolCallDelta: guard?.observe,
    })
    const {text, structured, finishReason} = answer
    const verdict = finishReason === 'stopped' ? guard?.verdict : undefined
    const calls: Action[] = answer.toolCalls.map((call) =>
      call.id === verdict?.callId
        ? {id: call.id, name: call.name, args: {ok: true, value: verdict.sent}, stopped: verdict.observation}
        : {id: call.id, name: call.name, args: call.arguments},
    )
    if (this.options.signal.aborted) throw new Interrupted()
    if (finishReason === 'length') {
      // The cut answer stays out of the conversation: half a tool call is no action, and the model needs the room.
      return {text, actions: [], truncated: true}
    }
    if (!json) {
      const toolCalls = calls.map((call) => ({
        id: call.id,
        type: 'function' as const,
        function: {name: call.name, arguments: call.args.ok ? JSON.stringify(call.args.value) : '{}'},
      }))
      this.messages.push(toolCalls.length > 0 ? {role: 'assistant', content: text, tool_calls: toolCalls} : {role: 'assistant', content: text})
      if (text) this.emit({type: 'assistant_message', taskId: this.id, content: text})
      return {text, actions: calls}
    }
    this.messages.push({role: 'assistant', content: text})
    const action = schema.safeParse(structured ?? parseJson(text))
    if (!action.success) return {text, actions: [], invalid: action.error.issues.map((issue) => issue.message).join('; ')}
    return {text, actions: [{id: `action-${this.step}`, name: action.data.tool, args: {ok: true, value: action.data.arguments}}]}
  }

  /** The action schema, its edit narrowed to the files touched last when the engine constrains edits. */
  private actionSchemaNow(): ReturnType<typeof actionSchema> {
    if (!this.options.settings.constrainEditSearch || !this.offered.some((tool) => tool.name === editTool.name)) return this.schema
    const files = this.touched.slice(-EDIT_TARGETS).flatMap((path) => {
      try {
        return [{path, text: this.tx.readText(path)}]
      } catch {
        return []
      }
    })
    const narrowed = editArgumentsFor(files)
    return narrowed ? actionSchema(this.offered, new Map([[editTool.name, narrowed]])) : this.schema
  }

  /** The files the task names are edit targets from the first step: a small model often edits before it reads. */
  private async noteMentionedFiles(): Promise<void> {
    const files = await this.options.workspace.listFiles().catch(() => [])
    const mentioned = files.filter((path) => this.options.task.includes(path))
    mentioned.sort((a, b) => this.options.task.indexOf(a) - this.options.task.indexOf(b))
    this.touched.push(...mentioned)
  }

  private noteTouched(action: Action): void {
    const path = touchedPath(action)
    if (path === undefined) return
    const known = this.touched.indexOf(path)
    if (known >= 0) this.touched.splice(known, 1)
    this.touched.push(path)
  }

  /** Directories whose instructions this conversation has shown; the root's are in the system prompt. */
  private readonly instructed = new Set<string>()

  /** The instructions of the directories on the way to the file an action touched, each the first time it is met. */
  private nestedInstructions(action: Action): string {
    const path = touchedPath(action)
    if (path === undefined) return ''
    const fresh = this.options.instructions.below(path).filter((file) => !this.instructed.has(file.dir))
    for (const file of fresh) this.instructed.add(file.dir)
    // Reading an instruction file shows it already.
    const shown = fresh.filter((file) => file.path !== path)
    return shown.length === 0 ? '' : `\n\n${renderNestedInstructions(shown)}`
  }

  /** Runs the turn's actions in order; returns finish's summary when the model called it. */
  private async execute(actions: readonly Action[]): Promise<string | undefined> {
    let finished: string | undefined
    for (const action of actions) {
      this.emit({type: 'tool_call', taskId: this.id, callId: action.id, tool: action.name, arguments: action.args.ok ? action.args.value : action.args.error})
      const {status, output} = await this.invoke(action)
      if (status === 'ok') this.noteTouched(action)
      const shown: Bounded = bound(output)
      const observation = status === 'ok' ? shown.text + this.nestedInstructions(action) + (await this.warnOfGenerated()) : shown.text
      this.emit({type: 'tool_result', taskId: this.id, callId: action.id, tool: action.name, status, output: observation, truncated: shown.truncated})
      if (this.protocol === 'json') this.messages.push({role: 'user', content: `Result of ${action.name} (${status}):\n${observation}`})
      else this.messages.push({role: 'tool', tool_call_id: action.id, content: observation})
      if (action.name === 'finish' && status === 'ok') finished = output
    }
    return finished
  }

  private async invoke(action: Action): Promise<{status: 'ok' | 'error' | 'refused'; output: string}> {
    if (action.stopped !== undefined) return {status: 'error', output: action.stopped}
    const tool = this.offered.find((candidate) => candidate.name === action.name)
    if (!tool) return {status: 'error', output: `unknown tool "${action.name}"; available: ${this.offered.map((t) => t.name).join(', ')}`}
    if (!action.args.ok) return {status: 'error', output: `the arguments are not valid JSON: ${action.args.error}`}
    const parsed = tool.schema.safeParse(action.args.value)
    if (!parsed.success) {
      return {status: 'error', output: `invalid arguments for ${tool.name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`}
    }
    try {
      return {status: 'ok', output: await this.runWaitingForLocks(tool, parsed.data)}
    } catch (error) {
      if (this.options.signal.aborted) throw new Interrupted()
      // The file moved under this transaction: its edits are stale, so the attempt ends and the task runner retries on fresh content.
      if (isPyAgentError(error, 'E_TX_COLLISION', 'E_TX_LOCKED')) throw error
      if (error instanceof ToolRefused) return {status: 'refused', output: error.message}
      if (error instanceof ToolError) return {status: 'error', output: error.message}
      return {status: 'error', output: `${(error as Error).name}: ${(error as Error).message}`}
    }
  }

  /**
   * A file another open transaction holds (a parallel sub-task editing it) is waited for rather
   * than reported: that transaction commits or rolls back soon. If it committed, the file has
   * moved under this transaction and the edit's CollisionError ends the attempt (see invoke).
   */
  private async runWaitingForLocks(tool: Tool, args: Record<string, unknown>): Promise<string> {
    let waited = 0
    for (let delay = 25; ; delay = Math.min(delay * 2, 1000)) {
      try {
        return await tool.run(args, this.context)
      } catch (error) {
        if (!isPyAgentError(error, 'E_TX_LOCKED') || waited >= LOCK_WAIT_MS) throw error
        await sleep(delay, this.options.signal)
        waited += delay
      }
    }
  }

  /** One diff per edit, of the file's content in the repository (kept from its first edit) against what is staged now. */
  private reportDiff(path: string, before: string, after: string | null): {added: number; removed: number} {
    if (!this.originals.has(path)) {
      this.originals.set(path, before)
      if (saysGenerated(before)) this.generatedEdits.push(path)
    }
    const diff = this.options.engine.diff(this.originals.get(path)!, after ?? '', path)
    this.diffs.set(path, diff.unified)
    this.emit({type: 'diff', taskId: this.id, path, unified: bound(diff.unified).text, added: diff.added, removed: diff.removed})
    return diff
  }

  /** Files this turn's edits reached whose header says they are generated: told to the model, and learnt. */
  private readonly generatedEdits: string[] = []

  private async warnOfGenerated(): Promise<string> {
    const paths = this.generatedEdits.splice(0)
    if (paths.length === 0) return ''
    await this.learnOutcomes(paths.map(generatedPathFact), `that ${paths.join(', ')} is generated`)
    return `\n\nNote: ${paths.join(', ')} ${paths.length === 1 ? 'says' : 'say'} in the header that a tool generates ${paths.length === 1 ? 'it' : 'them'}; an edit there is lost when it runs again. Change the source it is generated from instead, unless the task is about this file itself.`
  }

  private stagedDiff(): string {
    return this.tx
      .changes()
      .map((change) => this.diffs.get(change.path) ?? '')
      .join('')
  }

  /**
   * The model called finish: check the role's acceptance rule, ask the critic, then commit or roll
   * back. A role accepted by its tests is done only when they pass on the final tree, a change made
   * or not; "no change made" is said as such.
   */
  private async conclude(finished: string, baseline: number | undefined): Promise<Conclusion> {
    const tidy = tidySummary(finished)
    if (tidy.repeated) this.emit({type: 'check', taskId: this.id, name: 'summary', passed: false, detail: 'the finish summary repeated itself and was cut'})
    const summary = tidy.text
    if (this.tx.changes().length === 0) return this.concludeUnchanged(summary)
    const canRevise = this.revisions < this.options.settings.maxRevisions
    const tests = await this.checkedTests()
    if (tests && !tests.passed) {
      if (canRevise) return {kind: 'revise', feedback: `The tests fail with your changes; fix them, then call finish again.\n${bound(tests.output).text}`}
      return {kind: 'end', result: this.end('failed', `the tests still fail after ${this.revisions} revision(s): ${tests.command}`)}
    }
    if (baseline !== undefined) {
      const benchmarkStarted = performance.now()
      const after = await this.benchmark()
      const gain = ((baseline - after) / baseline) * 100
      const passed = gain >= this.options.settings.perfMarginPct
      const detail = `benchmark ${baseline.toFixed(1)} ms → ${after.toFixed(1)} ms (${gain.toFixed(1)}% faster; ${this.options.settings.perfMarginPct}% required)`
      this.emit({type: 'check', taskId: this.id, name: 'benchmark', passed, detail, durationMs: performance.now() - benchmarkStarted})
      if (!passed) return {kind: 'end', result: this.end('rejected', `not kept: ${detail}`)}
    }
    const criticStarted = performance.now()
    const verdict = await critique(
      this.options.critic ?? this.model,
      {task: this.options.task, summary, diff: bound(this.stagedDiff()).text, tests: tests ? `${tests.passed ? 'PASSED' : 'FAILED'}\n${bound(tests.output, 4000).text}` : 'no test command declared'},
      {signal: this.options.signal, taskId: this.id, onUsage: (usage) => this.recordUsage(usage)},
    )
    this.emit({type: 'reflection', taskId: this.id, round: this.revisions + 1, verdict: verdict.verdict, feedback: verdict.feedback, durationMs: performance.now() - criticStarted})
    if (verdict.verdict === 'revise') {
      if (canRevise) return {kind: 'revise', feedback: `A reviewer asks for a revision: ${verdict.feedback}\nRevise, then call finish again.`}
      return {kind: 'end', result: this.end('rejected', `still not approved after ${this.revisions} revision(s): ${verdict.feedback}`)}
    }
    if (verdict.verdict === 'reject') return {kind: 'end', result: this.end('rejected', `rejected by review: ${verdict.feedback}`)}
    if (this.options.signal.aborted) throw new Interrupted()
    // Whatever the commit does, the transaction is over: it committed, or it rolled itself back.
    this.txOpen = false
    const commitStarted = performance.now()
    const committed = await this.tx.commit()
    const files = committed.files.map((file) => file.path)
    this.emit({type: 'committed', taskId: this.id, txId: committed.id, files, durationMs: performance.now() - commitStarted})
    this.reinforceRecalled()
    return {kind: 'end', result: {status: 'done', summary, txId: committed.id, files}}
  }

  /** The task succeeded with the facts it was given: they were of use, so they last longer. */
  private reinforceRecalled(): void {
    if (this.recalled.facts.length > 0) this.options.memory.used(this.recalled.facts.map((fact) => fact.id))
  }

  /** The repository's tests over the staged edits, reported as a check event; undefined when it declares none. */
  private async checkedTests() {
    const started = performance.now()
    const tests = await runTests(this.context)
    if (!tests) return tests
    const durationMs = performance.now() - started
    this.emit({type: 'check', taskId: this.id, name: tests.command, passed: tests.passed, detail: bound(tests.output, 2000).text, durationMs})
    if (tests.passed) await this.learnOutcomes(passingTestFacts(tests.command, durationMs), 'what the tests taught')
    return tests
  }

  /** Keeps what this task's checks and edits taught, when memory is on; a memory that cannot store it costs the task nothing but a failed check. */
  private async learnOutcomes(facts: readonly {kind: FactKind; text: string}[], what: string): Promise<void> {
    if (!this.options.settings.memory) return
    try {
      for (const fact of facts) await this.options.memory.learn(fact)
    } catch (error) {
      this.emit({type: 'check', taskId: this.id, name: 'memory', passed: false, detail: `${what} could not be stored: ${(error as Error).message}`})
    }
  }

  /** A finish with nothing staged: a read-only role is done; one accepted by its tests only when they pass as the tree is. */
  private async concludeUnchanged(summary: string): Promise<Conclusion> {
    const said = `no change made: ${summary}`
    const tests = this.options.role.acceptance === 'tests' ? await this.checkedTests() : undefined
    if (tests && !tests.passed) {
      if (this.revisions < this.options.settings.maxRevisions) {
        return {kind: 'revise', feedback: `You finished without changing anything, and the tests fail; make the change the task asks for, then call finish again.\n${bound(tests.output).text}`}
      }
      return {kind: 'end', result: this.end('failed', `no change made, and the tests still fail after ${this.revisions} revision(s): ${tests.command}`)}
    }
    this.closeTransaction()
    this.reinforceRecalled()
    return {kind: 'end', result: {status: 'done', summary: this.options.role.acceptance === 'read-only' ? summary : said, files: []}}
  }

  /** Wall time of the benchmark command over the staged edits, best of three runs (the least disturbed by other load). */
  private async benchmark(): Promise<number> {
    const command = this.options.settings.benchmarkCommand
    if (!command) throw new Error('the perf role needs a benchmark command: set benchmarkCommand (e.g. `pyagent config set benchmarkCommand "npm run bench"`)')
    const argv = splitCommand(command)
    const {cwd, source} = await scratchFor(argv, this.context, 'declared')
    let best = Number.POSITIVE_INFINITY
    for (let run = 0; run < 3; run++) {
      const started = performance.now()
      const result = await this.options.runner.run(argv, {cwd, timeoutMs: this.options.settings.commandTimeoutMs, source, signal: this.options.signal})
      if (result.timedOut || result.exitCode !== 0) throw new Error(`the benchmark command failed (${command}): ${bound(result.output, 1000).text}`)
      best = Math.min(best, performance.now() - started)
    }
    return best
  }
}

const LOCK_WAIT_MS = 30_000

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Interrupted())
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(new Interrupted())
    }
    signal.addEventListener('abort', onAbort, {once: true})
  })
}

/** The file a read_file, edit or write_file call named. */
function touchedPath(action: Action): string | undefined {
  const path = action.args.ok ? action.args.value.path : undefined
  return typeof path === 'string' && TOUCHING_TOOLS.has(action.name) ? path : undefined
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
