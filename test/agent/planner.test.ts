import {describe, expect, it} from 'vitest'

import {childrenOf, getLineageTask, lineage} from '../../src/state/tasks.js'
import type {ChatRequest} from '../../src/agent/ports.js'
import {validatePlan} from '../../src/agent/planner.js'
import {FIXTURE, read, run} from './harness.js'
import {call, ScriptedModel, type ScriptedReply, verdict} from './support.js'

type Subtask = {key: string; title: string; role: string; dependsOn: string[]}

/**
 * Routes each request to the planner's, the critic's or a sub-task's script, by its prompt.
 * `beforeTurn` may hold a sub-task's reply back, to order parallel sub-tasks.
 */
function router(
  plans: Record<string, Subtask[]>,
  scripts: Record<string, ScriptedReply[]>,
  delayMs = 0,
  beforeTurn: (title: string, turn: number) => Promise<void> | void = () => {},
) {
  return new ScriptedModel([], async (request: ChatRequest) => {
    const system = request.messages[0]!.content as string
    // An agent's first message ends with its task, after what memory gave it.
    const user = (request.messages[1]!.content as string).split('# Task\n').at(-1)!
    if (system.startsWith('You plan work')) {
      const title = user.split('\n')[0]!
      return {text: JSON.stringify({subtasks: plans[title] ?? []})}
    }
    if (system.startsWith('You review')) return verdict('approve')
    const turns = request.messages.filter((message) => message.role === 'assistant').length
    const script = scripts[user]
    if (!script) throw new Error(`no script for sub-task "${user}"`)
    await beforeTurn(user, turns)
    return {...(script[Math.min(turns, script.length - 1)] as ScriptedReply), delayMs}
  })
}

const ROOT = 'Fix the two helpers and review them'
const NO_TESTS = {settings: {testCommand: undefined}}

describe('the planner (--role auto)', () => {
  it('runs independent sub-tasks in parallel as child tasks, then their dependant, each attributed', async () => {
    const model = router(
      {
        [ROOT]: [
          {key: 'add', title: 'Fix add', role: 'coder', dependsOn: []},
          {key: 'greet', title: 'Fix greet', role: 'coder', dependsOn: []},
          {key: 'review', title: 'Explain the helpers', role: 'analyst', dependsOn: ['add', 'greet']},
        ],
      },
      {
        'Fix add': [call('edit', {path: 'src/add.js', edits: [{search: 'a - b', replace: 'a + b'}]}), call('finish', {summary: 'add fixed'})],
        'Fix greet': [call('edit', {path: 'src/greet.js', edits: [{search: "'hi '", replace: "'hello '"}]}), call('finish', {summary: 'greet fixed'})],
        'Explain the helpers': [call('read_file', {path: 'src/add.js'}), call('finish', {summary: 'add adds, greet greets'})],
      },
      15,
    )
    const {repo, db, outcome, events} = await run({model, role: 'auto', task: ROOT, options: NO_TESTS})

    expect(outcome.status).toBe('done')
    const lifecycle = events.flatMap((event) => (event.type === 'task_started' || event.type === 'task_finished') && event.taskId !== outcome.taskId ? [event.type] : [])
    expect(lifecycle.slice(0, 2)).toEqual(['task_started', 'task_started'])
    expect(read(repo, 'src/add.js')).toContain('a + b')
    expect(read(repo, 'src/greet.js')).toContain("'hello '")
    const children = childrenOf(db, outcome.taskId)
    expect(children.map((child) => [child.title, child.depth, child.status])).toEqual([
      ['Fix add', 1, 'done'],
      ['Fix greet', 1, 'done'],
      ['Explain the helpers', 1, 'done'],
    ])
    const byTitle = new Map(outcome.results.map((result) => [result.title, result]))
    expect(byTitle.get('Fix add')).toMatchObject({parentId: outcome.taskId, files: ['src/add.js'], summary: 'add fixed'})
    expect(byTitle.get('Fix greet')).toMatchObject({files: ['src/greet.js']})
    expect(getLineageTask(db, byTitle.get('Fix add')!.taskId)!.tx_id).toBe(byTitle.get('Fix add')!.txId)
    const order = outcome.results.map((result) => result.title)
    expect(order.indexOf('Explain the helpers')).toBeGreaterThan(Math.max(order.indexOf('Fix add'), order.indexOf('Fix greet')))
    expect(outcome.summary).toContain(`[${byTitle.get('Fix add')!.taskId.slice(0, 8)}] coder: Fix add → done: add fixed`)
  })

  it('refuses a sub-task that repeats an ancestor, and runs the rest', async () => {
    const model = router(
      {
        [ROOT]: [
          {key: 'again', title: 'fix the two helpers, and review them!', role: 'auto', dependsOn: []},
          {key: 'add', title: 'Fix add', role: 'coder', dependsOn: []},
        ],
      },
      {'Fix add': [call('edit', {path: 'src/add.js', edits: [{search: 'a - b', replace: 'a + b'}]}), call('finish', {summary: 'add fixed'})]},
    )
    const {db, outcome, events} = await run({model, role: 'auto', task: ROOT, options: NO_TESTS})
    expect(outcome.status).toBe('done')
    const refused = events.find((event) => event.type === 'subtask_refused')
    expect(refused).toMatchObject({taskId: outcome.taskId, title: 'fix the two helpers, and review them!'})
    expect((refused as {reason: string}).reason).toMatch(/repeats the task that planned it.*cycle/)
    expect(childrenOf(db, outcome.taskId).map((child) => child.status)).toEqual(['refused', 'done'])
  })

  it('refuses a grandchild that repeats its grandparent, and sub-tasks beyond the depth limit', async () => {
    const model = router(
      {
        [ROOT]: [{key: 'split', title: 'Split the work', role: 'auto', dependsOn: []}],
        'Split the work': [
          {key: 'loop', title: ROOT, role: 'coder', dependsOn: []},
          {key: 'add', title: 'Fix add', role: 'coder', dependsOn: []},
        ],
      },
      {'Fix add': [call('finish', {summary: 'nothing'})]},
    )
    const deep = await run({model, role: 'auto', task: ROOT, options: NO_TESTS})
    const [split] = childrenOf(deep.db, deep.outcome.taskId)
    const grandchildren = childrenOf(deep.db, split!.id)
    expect(grandchildren.map((child) => [child.title, child.status, child.depth])).toEqual([
      [ROOT, 'refused', 2],
      ['Fix add', 'done', 2],
    ])
    expect(lineage(deep.db, grandchildren[1]!.id).map((row) => row.depth)).toEqual([2, 1, 0])
    expect(grandchildren[0]!.summary).toMatch(/ancestor task/)

    const shallow = await run({model: router({[ROOT]: [{key: 'split', title: 'Split the work', role: 'auto', dependsOn: []}], 'Split the work': [{key: 'add', title: 'Fix add', role: 'coder', dependsOn: []}]}, {}), role: 'auto', task: ROOT, options: {...NO_TESTS, maxDepth: 1}})
    const [limited] = childrenOf(shallow.db, shallow.outcome.taskId)
    expect(childrenOf(shallow.db, limited!.id)[0]).toMatchObject({status: 'refused', summary: expect.stringMatching(/depth limit \(1\)/)})
  })

  it('retries a sub-task once on fresh content when the file it read is changed by a parallel one', async () => {
    // "Comment add" reads src/add.js, then edits it only after "Fix add" has committed its change
    // to the same file: its edit collides whatever the machine's load, and the retry starts afresh.
    let firstCommit!: () => void
    const committed = new Promise<void>((resolve) => (firstCommit = resolve))
    const model = router(
      {[ROOT]: [
        {key: 'a', title: 'Fix add', role: 'coder', dependsOn: []},
        {key: 'b', title: 'Comment add', role: 'coder', dependsOn: []},
      ]},
      {
        'Fix add': [call('edit', {path: 'src/add.js', edits: [{search: 'a - b', replace: 'a + b'}]}), call('finish', {summary: 'fixed'})],
        'Comment add': [
          call('read_file', {path: 'src/add.js'}),
          call('edit', {path: 'src/add.js', edits: [{search: 'export function add(a, b) {', replace: 'export function add(a, b) { // sum'}]}),
          call('finish', {summary: 'commented'}),
        ],
      },
      0,
      async (title, turn) => {
        if (title === 'Comment add' && turn === 1) await committed
      },
    )
    const {repo, outcome, events} = await run({
      model,
      role: 'auto',
      task: ROOT,
      options: NO_TESTS,
      onEvent: (event) => {
        if (event.type === 'committed') firstCommit()
      },
    })
    expect(outcome.status).toBe('done')
    expect(read(repo, 'src/add.js')).toBe('export function add(a, b) { // sum\n  return a + b\n}\n')
    const retries = events.filter((event) => event.type === 'rolled_back' && /Retrying once/.test(event.reason))
    expect(retries).toHaveLength(1)
  })

  it('skips the dependants of a failed sub-task and fails the parent', async () => {
    const model = router(
      {[ROOT]: [
        {key: 'a', title: 'Fix add', role: 'coder', dependsOn: []},
        {key: 'b', title: 'Then explain', role: 'analyst', dependsOn: ['a']},
      ]},
      {'Fix add': [call('edit', {path: 'src/add.js', edits: [{search: 'a - b', replace: 'a + b'}]}), call('finish', {summary: 'a'})]},
    )
    const {repo, db, outcome} = await run({model, role: 'auto', task: ROOT, options: {settings: {maxRevisions: 0}}})
    expect(outcome).toMatchObject({status: 'failed', exitCode: 1})
    expect(childrenOf(db, outcome.taskId).map((child) => child.status)).toEqual(['failed', 'skipped'])
    expect(read(repo, 'src/add.js')).toBe(FIXTURE['src/add.js'])
  })
})

describe('validatePlan', () => {
  it('refuses dependency cycles, unknown dependencies and duplicate keys', () => {
    const refused = validatePlan([
      {key: 'a', title: 'A', role: 'coder', dependsOn: ['b']},
      {key: 'b', title: 'B', role: 'coder', dependsOn: ['a']},
      {key: 'c', title: 'C', role: 'coder', dependsOn: ['zzz']},
      {key: 'd', title: 'D', role: 'coder', dependsOn: []},
      {key: 'd', title: 'D again', role: 'coder', dependsOn: []},
    ])
    expect([...refused.keys()].sort()).toEqual(['a', 'b', 'c', 'd'])
    expect(refused.get('a')).toMatch(/cycle/)
    expect(refused.get('c')).toMatch(/unknown/)
  })
})
