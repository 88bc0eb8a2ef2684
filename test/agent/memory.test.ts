import {describe, expect, it} from 'vitest'

import type {AgentEvent} from '../../src/agent/events.js'
import {learnFact, memorySettings} from '../../src/memory/facts.js'
import {roughDuration, saysGenerated} from '../../src/memory/outcomes.js'
import {configSchema} from '../../src/config/schema.js'
import {FIXTURE, prepare, run} from './harness.js'
import {call, ScriptedModel, verdict} from './support.js'

const FIX_ADD = {path: 'src/add.js', edits: [{search: 'return a - b', replace: 'return a + b'}]}
const FIX_GREET = {path: 'src/greet.js', edits: [{search: "'hi ' + name", replace: "'hello ' + name"}]}
const TASK = 'Fix add in src/add.js and greet so the tests pass'
const settings = memorySettings(configSchema.parse({}))

function fixBoth(): ScriptedModel {
  return new ScriptedModel([call('edit', FIX_ADD), call('edit', FIX_GREET), call('finish', {summary: 'fixed'}), verdict('approve')])
}

function memoryEvents(events: AgentEvent[]) {
  return events.filter((event): event is Extract<AgentEvent, {type: 'memory_used'}> => event.type === 'memory_used')
}

function factRows(db: ReturnType<typeof prepare>['db']) {
  return db.prepare('SELECT id, kind, text, source, uses FROM facts ORDER BY id').all() as {id: number; kind: string; text: string; source: string; uses: number}[]
}

describe("memory in a task's first prompt", () => {
  it('gives the map and the relevant facts before the task, says so in an event, and keeps the message the same on every request', async () => {
    const prepared = prepare({...FIXTURE, 'AGENTS.md': 'Keep functions small.\n'})
    const relevant = await learnFact(prepared.db, {text: 'greet is used by the welcome banner', kind: 'note', source: 'user'}, settings)
    await learnFact(prepared.db, {text: 'the release script lives in tools/ship.sh', kind: 'note', source: 'user'}, settings)
    const model = fixBoth()
    const {events, outcome} = await run({model, task: TASK}, prepared)

    expect(outcome.status).toBe('done')
    const first = model.requests[0]!.messages[1]!.content as string
    expect(first).toMatch(/^# Repository map\n/)
    expect(first).toContain('src/add.js:')
    expect(first).toContain('export function add(a, b)')
    expect(first).toContain('- greet is used by the welcome banner')
    expect(first).not.toContain('tools/ship.sh')
    expect(first.endsWith(`# Task\n${TASK}`)).toBe(true)
    // The prefix vLLM caches: every later request of the task starts with the same two messages.
    for (const request of model.requests.slice(1, 3)) expect(request.messages.slice(0, 2)).toEqual(model.requests[0]!.messages.slice(0, 2))

    const [used] = memoryEvents(events)
    expect(used).toMatchObject({taskId: outcome.taskId, instructions: ['AGENTS.md'], facts: [{id: relevant.fact.id, kind: 'note', text: 'greet is used by the welcome banner'}]})
    expect(used!.map!.files).toBeGreaterThanOrEqual(2)
    expect(used!.map!.tokens).toBeGreaterThan(0)
    expect(used!.map!.tokens).toBeLessThanOrEqual(1024)
  })

  it('leaves out of the map the files the workspace refuses the agent', async () => {
    const files = {...FIXTURE, 'secrets/keys.js': 'export function signingKeyForProduction() {\n  return 1\n}\n'}
    const model = fixBoth()
    await run({model, task: TASK, files, denyPaths: ['secrets/**']})
    const first = model.requests[0]!.messages[1]!.content as string
    expect(first).toContain('src/greet.js:')
    expect(first).not.toContain('signingKeyForProduction')
    expect(first).not.toContain('secrets/')
  })

  it('with memory off sends the task alone, offers no remember tool, and learns nothing', async () => {
    const prepared = prepare()
    await learnFact(prepared.db, {text: 'greet is used by the welcome banner', kind: 'note', source: 'user'}, settings)
    const model = new ScriptedModel([call('remember', {text: 'add is subtraction'}), call('edit', FIX_ADD), call('edit', FIX_GREET), call('finish', {summary: 'fixed'}), verdict('approve')])
    const {events, outcome} = await run({model, task: TASK, options: {settings: {memory: false}}}, prepared)

    expect(model.requests[0]!.messages[1]!.content).toBe(TASK)
    expect(model.requests[0]!.tools!.map((tool) => tool.function.name)).not.toContain('remember')
    expect(events.find((event) => event.type === 'tool_result' && event.tool === 'remember')).toMatchObject({status: 'error', output: expect.stringMatching(/unknown tool "remember"/)})
    expect(memoryEvents(events)).toEqual([])
    expect(outcome.status).toBe('done')
    expect(factRows(prepared.db).map((row) => row.text)).toEqual(['greet is used by the welcome banner'])
  })

  it('strengthens the facts a task was given when it succeeds, not when it fails', async () => {
    const prepared = prepare()
    const {fact} = await learnFact(prepared.db, {text: 'greet must keep its trailing space', kind: 'note', source: 'user'}, settings)
    const failing = new ScriptedModel([call('edit', FIX_ADD), call('finish', {summary: 'half'}), call('finish', {summary: 'half'}), call('finish', {summary: 'half'})])
    const failed = await run({model: failing, task: 'Fix add and greet', options: {settings: {maxRevisions: 1}}}, prepared)
    expect(failed.outcome.status).toBe('failed')
    expect(factRows(prepared.db).find((row) => row.id === fact.id)!.uses).toBe(1)

    const done = await run({model: fixBoth(), task: 'Fix add and greet'}, prepared)
    expect(done.outcome.status).toBe('done')
    expect(factRows(prepared.db).find((row) => row.id === fact.id)!.uses).toBe(2)
  })

  it('learns the test command and its rough duration from tests that pass, and a second run strengthens the same facts', async () => {
    const prepared = prepare()
    await run({model: fixBoth(), task: TASK}, prepared)
    const learnt = factRows(prepared.db).filter((row) => row.source === 'outcome')
    expect(learnt.map(({kind, text}) => ({kind, text}))).toEqual([
      {kind: 'test-command', text: 'The tests run with `node test.js`.'},
      {kind: 'duration', text: expect.stringMatching(/^`node test\.js` takes (under a second|about \d+ s)\.$/)},
    ])

    // The same repository, broken again: the run is told what the first learnt, and states it again.
    const model = new ScriptedModel([
      call('edit', {path: 'src/add.js', edits: [{search: 'return a + b', replace: 'return a + b'}]}),
      call('finish', {summary: 'checked'}),
      verdict('approve'),
    ])
    await run({model, task: 'Check that the tests run with node test.js'}, prepared)
    expect(model.requests[0]!.messages[1]!.content).toContain('- The tests run with `node test.js`.')
    const again = factRows(prepared.db).filter((row) => row.source === 'outcome')
    expect(again.map((row) => row.id)).toEqual(learnt.map((row) => row.id))
    expect(again.find((row) => row.kind === 'test-command')!.uses).toBeGreaterThanOrEqual(2)
  })
})

describe('files that say they are generated', () => {
  it('an edit to one tells the model to change the source instead, and the path is learnt for later tasks', async () => {
    const prepared = prepare({...FIXTURE, 'src/version.js': '// Code generated by stamp.sh. DO NOT EDIT.\nexport const version = "1.0.0"\n'})
    const model = new ScriptedModel([
      call('edit', {path: 'src/version.js', edits: [{search: '1.0.0', replace: '1.0.1'}]}),
      call('edit', FIX_ADD),
      call('edit', FIX_GREET),
      call('finish', {summary: 'bumped'}),
      verdict('approve'),
    ])
    const {events} = await run({model, task: 'Bump the version and fix the helpers'}, prepared)
    const results = events.filter((event) => event.type === 'tool_result' && event.tool === 'edit').map((event) => (event as {output: string}).output)
    expect(results[0]).toMatch(/Note: src\/version\.js says in the header that a tool generates it/)
    expect(results.slice(1).join('')).not.toMatch(/Note:/)
    expect(factRows(prepared.db).filter((row) => row.kind === 'generated-path')).toEqual([
      expect.objectContaining({text: '`src/version.js` is generated (its header says so): change what generates it, not the file.', source: 'outcome'}),
    ])
  })

  it('are told by their header, not by the words anywhere in them', () => {
    expect(saysGenerated('// Code generated by protoc-gen-go. DO NOT EDIT.\npackage pb\n')).toBe(true)
    expect(saysGenerated('/**\n * @generated\n */\n')).toBe(true)
    expect(saysGenerated('# This file is auto-generated from schema.yaml\n')).toBe(true)
    expect(saysGenerated('# generated by setuptools_scm\n')).toBe(true)
    expect(saysGenerated('export const ids = [] // ids generated by the server\n')).toBe(false)
    expect(saysGenerated('a\nb\nc\nd\ne\n// DO NOT EDIT below this line\n')).toBe(false)
    expect(saysGenerated('// do not edit lightly\n')).toBe(false)
  })
})

describe('roughDuration', () => {
  it('rounds to a 1-2-5 step, so runs that differ a little state the same fact', () => {
    expect(roughDuration(400)).toBe('under a second')
    expect(roughDuration(1300)).toBe('about 1 s')
    expect(roughDuration(1700)).toBe('about 2 s')
    expect(roughDuration(2400)).toBe('about 2 s')
    expect(roughDuration(4200)).toBe('about 5 s')
    expect(roughDuration(8000)).toBe('about 10 s')
    expect(roughDuration(44_000)).toBe('about 50 s')
    expect(roughDuration(170_000)).toBe('about 3 min')
  })
})
