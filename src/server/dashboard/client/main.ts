/**
 * The fleet dashboard: the overview (figures, charts, the submit form, the live task list) at
 * `#/`, and one task's page (its events as they come, its diff, cancel / apply / undo) at
 * `#/tasks/<id>`. Everything shown comes from the fleet API; nothing is trusted as markup.
 */
import type {FleetStats} from '../../../app/fleet-stats.js'
import type {StatsFigures} from '../../../app/stats.js'
import type {FleetEvent, FleetTask, FleetTaskDetail} from '../../../fleet/schemas.js'
import {api, ApiError, token, whenUnauthorized} from './api.js'
import {drawCharts} from './charts.js'
import {renderPatch} from './diff.js'
import {byId, h, replaceChildren} from './dom.js'
import {followEvents} from './events.js'

const LIST_EVERY_MS = 2_000
const CHARTS_EVERY_MS = 10_000
const ACTIVE = new Set(['queued', 'running'])

const money = (usd: number) => `$${usd.toFixed(usd < 1 ? 4 : 2)}`
const rate = (value: number | null) => (value === null ? '–' : `${Math.round(value * 100)}%`)

function age(since: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(since)) / 1000))
  if (seconds < 60) return `${seconds}s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`
  return `${Math.floor(seconds / 86_400)}d`
}

const firstLine = (text: string, length = 90) => {
  const line = text.split('\n')[0]!
  return line.length > length ? `${line.slice(0, length - 1)}…` : line
}

function flash(message: string, kind: 'error' | 'info' = 'error'): void {
  const box = byId('flash')
  box.className = kind
  box.textContent = message
}

function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.message}${error.field ? ` (field: ${error.field})` : ''} [${error.code}]`
  return (error as Error).message
}

async function refreshList(): Promise<void> {
  const [{tasks}, health] = await Promise.all([
    api<{tasks: FleetTask[]}>('GET', '/tasks?limit=100'),
    api<{workers: {task: string | null}[]; queued: number; running: number}>('GET', '/health'),
  ])
  byId('health').textContent = `${health.workers.length} workers · ${health.running} running · ${health.queued} queued`
  const body = byId('task-rows')
  replaceChildren(
    body,
    ...tasks.map((task) =>
      h(
        'tr',
        {'data-task': task.id, 'data-status': task.status},
        h('td', {}, h('a', {href: `#/tasks/${task.id}`, title: task.task}, firstLine(task.task))),
        h('td', {}, h('span', {class: `status status-${task.status}`}, task.status)),
        h('td', {}, task.role),
        h('td', {}, task.priority),
        h('td', {title: task.createdAt}, age(task.createdAt)),
        h('td', {class: 'number'}, task.usage.tokens.toLocaleString()),
        h('td', {class: 'number'}, money(task.usage.costUsd)),
      ),
    ),
  )
  byId('no-tasks').hidden = tasks.length > 0
}

function tile(name: string, value: string, title: string): HTMLElement {
  return h('div', {class: 'tile', title}, h('span', {class: 'tile-value'}, value), h('span', {class: 'tile-name'}, name))
}

function drawFigures(total: StatsFigures): void {
  replaceChildren(
    byId('figures'),
    tile('tasks ended', String(total.tasks), 'Tasks that ended in the span'),
    tile('success rate', rate(total.successRate), 'Share of the ended tasks that are done'),
    tile('steps', total.steps.toLocaleString(), 'Agent steps of those tasks'),
    tile('tokens', total.tokens.toLocaleString(), 'Tokens they used'),
    tile('cost', money(total.costUsd), 'What they cost'),
    tile('edit-apply rate', rate(total.editApplyRate), 'Share of the edits the agent asked for that applied'),
  )
}

async function refreshCharts(): Promise<void> {
  const [since, bucket] = (byId<HTMLSelectElement>('span').value || '24h/hour').split('/')
  const stats = await api<FleetStats>('GET', `/stats?since=${encodeURIComponent(since!)}&bucket=${encodeURIComponent(bucket!)}`)
  drawFigures(stats.total)
  drawCharts(stats)
}

/** The submit form's choices are the API's own: the enums of the SubmitTask schema in /openapi.json. */
async function fillChoices(): Promise<void> {
  const document = await api<{components: {schemas: {SubmitTask: {properties: Record<string, {enum?: string[]; default?: string}>}}}}>('GET', '/openapi.json')
  const {properties} = document.components.schemas.SubmitTask
  for (const name of ['role', 'priority', 'approve']) {
    const select = byId<HTMLSelectElement>(`submit-${name}`)
    const property = properties[name]
    replaceChildren(select, ...(property?.enum ?? []).map((value) => h('option', {value, selected: value === property?.default}, value)))
  }
}

async function submit(form: HTMLFormElement): Promise<void> {
  const data = new FormData(form)
  const text = (name: string) => String(data.get(name) ?? '').trim()
  const maxSteps = text('maxSteps')
  const body = {
    repository: text('repository'),
    task: text('task'),
    role: text('role'),
    priority: text('priority'),
    approve: text('approve'),
    ...(text('branch') ? {branch: text('branch')} : {}),
    ...(maxSteps ? {budgets: {maxSteps: Number(maxSteps)}} : {}),
  }
  const task = await api<FleetTask>('POST', '/tasks', body)
  localStorage.setItem('pyagent-last-repository', body.repository)
  form.reset()
  byId<HTMLInputElement>('submit-repository').value = body.repository
  flash(`Queued task ${task.id}.`, 'info')
  location.hash = `#/tasks/${task.id}`
}

let leaving: AbortController | undefined

function eventLine(event: FleetEvent): HTMLElement | undefined {
  const type = String(event.event.type)
  const value = (key: string) => (event.event[key] === undefined ? '' : String(event.event[key]))
  const details: Record<string, () => string> = {
    attempt_started: () => `attempt ${value('attempt')} on ${value('worker')}`,
    attempt_ended: () => `attempt ${value('attempt')}: ${value('status')}`,
    attempt_lapsed: () => `attempt ${value('attempt')}: its worker stopped answering`,
    task_started: () => value('title'),
    step_started: () => `step ${value('step')}`,
    tool_call: () => `${value('tool')} ${firstLine(JSON.stringify(event.event.arguments ?? {}), 120)}`,
    tool_result: () => `${value('tool')}: ${value('status')}`,
    diff: () => `${value('path')} +${value('added')} -${value('removed')}`,
    check: () => `${value('name')}: ${event.event.passed ? 'passed' : 'failed'}`,
    approval: () => `${value('kind')} ${firstLine(value('subject'), 120)}: ${event.event.approved ? 'allowed' : 'refused'}`,
    reflection: () => `round ${value('round')}: ${value('verdict')} ${firstLine(value('feedback'), 120)}`,
    rolled_back: () => value('reason'),
    assistant_message: () => firstLine(value('content'), 160),
    committed: () => `${(event.event.files as string[] | undefined)?.join(', ') ?? ''}`,
    task_finished: () => `${value('status')}: ${firstLine(value('summary'), 160)}`,
    notice: () => value('text'),
    applied: () => `applied in transaction ${value('txId')}: ${(event.event.files as string[] | undefined)?.join(', ') ?? ''}`,
    undone: () => `transaction ${value('undid')} undone by ${value('txId')}`,
  }
  // Streamed text deltas would drown the log; the assistant's whole message follows them.
  if (type === 'text' || type === 'usage') return undefined
  return h('li', {'data-type': type}, h('span', {class: 'event-seq'}, `#${event.seq}`), h('span', {class: 'event-type'}, type), ' ', details[type]?.() ?? '')
}

interface TaskView {
  task: FleetTaskDetail
  applied: boolean
  lastSeq: number
}

function renderTask(view: TaskView): void {
  const {task} = view
  byId('task-title').textContent = firstLine(task.task, 200)
  byId('task-text').textContent = task.task
  const status = byId('task-status')
  status.textContent = task.status + (view.applied ? ' · applied' : '')
  status.className = `status status-${task.status}`
  const facts: [string, string][] = [
    ['id', task.id],
    ['repository', task.repository],
    ['role', task.role],
    ['priority', task.priority],
    ['attempts', String(task.attempts)],
    ['tokens', task.usage.tokens.toLocaleString()],
    ['cost', money(task.usage.costUsd)],
    ['branch', task.commit ? `${task.branch} @ ${task.commit.slice(0, 12)}` : '–'],
    ['files', task.files.join(', ') || '–'],
  ]
  if (task.summary) facts.push(['summary', task.summary])
  if (task.error) facts.push(['error', task.error])
  replaceChildren(byId('task-facts'), ...facts.flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)]))
  byId<HTMLButtonElement>('task-cancel').disabled = !ACTIVE.has(task.status)
  byId<HTMLButtonElement>('task-apply').disabled = !(task.status === 'done' && task.patch && !view.applied && task.repository.startsWith('/'))
  byId<HTMLButtonElement>('task-undo').disabled = !view.applied
  replaceChildren(byId('task-diff'), task.patch ? renderPatch(task.patch) : h('p', {class: 'muted'}, ACTIVE.has(task.status) ? 'The change appears here once the task is done.' : 'This task left no change.'))
}

async function openTask(id: string): Promise<void> {
  leaving?.abort()
  leaving = new AbortController()
  const {signal} = leaving
  byId('overview').hidden = true
  byId('task').hidden = false
  replaceChildren(byId('task-events'))
  const view: TaskView = {task: await api<FleetTaskDetail>('GET', `/tasks/${id}`), applied: false, lastSeq: 0}
  renderTask(view)
  let streaming = false
  const follow = async () => {
    streaming = true
    await followEvents(
      id,
      view.lastSeq,
      {
        event: (event) => {
          view.lastSeq = event.seq
          if (event.event.type === 'applied' || event.event.type === 'undone') view.applied = event.event.type === 'applied'
          const line = eventLine(event)
          if (line) byId('task-events').append(line)
        },
        end: async () => {
          view.task = await api<FleetTaskDetail>('GET', `/tasks/${id}`)
          renderTask(view)
          byId('task-stream').textContent = 'The task has ended; its whole log is above.'
        },
        error: (error) => flash(describeError(error)),
      },
      signal,
    ).finally(() => (streaming = false))
  }
  byId('task-stream').textContent = 'Following the task\'s events…'
  const act = async (action: () => Promise<unknown>) => {
    try {
      await action()
      view.task = await api<FleetTaskDetail>('GET', `/tasks/${id}`)
      renderTask(view)
      // Apply and undo are recorded as the task's events; once the stream has ended, read the new ones from the log.
      if (!streaming) await follow()
    } catch (error) {
      flash(describeError(error))
    }
  }
  byId('task-cancel').onclick = () => act(() => api('POST', `/tasks/${id}/cancel`))
  byId('task-apply').onclick = () => act(async () => flash(`Applied in transaction ${(await api<{txId: string}>('POST', `/tasks/${id}/apply`, {})).txId}.`, 'info'))
  byId('task-undo').onclick = () => act(async () => flash(`Undone by transaction ${(await api<{txId: string}>('POST', `/tasks/${id}/undo`, {})).txId}.`, 'info'))
  await follow()
}

let timers: number[] = []

function showOverview(): void {
  leaving?.abort()
  byId('task').hidden = true
  byId('overview').hidden = false
  const guarded = (work: () => Promise<void>) => () => work().catch((error) => flash(describeError(error)))
  for (const timer of timers) clearInterval(timer)
  timers = [window.setInterval(guarded(refreshList), LIST_EVERY_MS), window.setInterval(guarded(refreshCharts), CHARTS_EVERY_MS)]
  void guarded(refreshList)()
  void guarded(refreshCharts)()
}

function route(): void {
  flash('', 'info')
  byId('logout').hidden = token.get() === null
  const id = /^#\/tasks\/([0-9a-f-]{36})$/.exec(location.hash)?.[1]
  if (id) {
    for (const timer of timers) clearInterval(timer)
    timers = []
    openTask(id).catch((error) => flash(describeError(error)))
  } else showOverview()
}

function showLogin(): void {
  for (const timer of timers) clearInterval(timer)
  timers = []
  byId('login').hidden = false
  byId('overview').hidden = true
  byId('task').hidden = true
}

function start(): void {
  whenUnauthorized(showLogin)
  byId<HTMLFormElement>('login-form').addEventListener('submit', (event) => {
    event.preventDefault()
    const field = byId<HTMLInputElement>('login-token')
    token.set(field.value.trim())
    field.value = ''
    byId('login').hidden = true
    void fillChoices().catch(() => undefined)
    route()
  })
  byId('logout').addEventListener('click', () => {
    token.forget()
    showLogin()
  })
  byId<HTMLFormElement>('submit-form').addEventListener('submit', (event) => {
    event.preventDefault()
    submit(event.target as HTMLFormElement).catch((error) => flash(describeError(error)))
  })
  byId('span').addEventListener('change', () => void refreshCharts().catch((error) => flash(describeError(error))))
  byId<HTMLInputElement>('submit-repository').value = localStorage.getItem('pyagent-last-repository') ?? ''
  window.addEventListener('hashchange', route)
  void fillChoices().catch(() => undefined)
  route()
}

start()
