import {checksummedToken} from '../support/tokens.js'
import {describe, expect, it} from 'vitest'

import {listEvents} from '../../src/state/events.js'
import {redactText} from '../../src/secrets/redact.js'
import {getLineageTask} from '../../src/state/tasks.js'
import {FIXTURE, read, run, type SeenRequest} from './harness.js'
import {action, call, ScriptedModel, verdict} from './support.js'

/** The fixture with tests that already pass: a finish that changes nothing is then done (see false-done.test.ts). */
const PASSING = {...FIXTURE, 'test.js': "console.log('all tests pass')\n"}
const FIX_ADD = {path: 'src/add.js', edits: [{search: 'return a - b', replace: 'return a + b'}]}
const FIX_GREET = {path: 'src/greet.js', edits: [{search: "'hi ' + name", replace: "'hello ' + name"}]}

describe('the agent loop with native tool calls', () => {
  it('edits two files, passes the repo tests, commits, and records every tool result', async () => {
    const model = new ScriptedModel([
      call('read_file', {path: 'src/add.js'}),
      call('edit', FIX_ADD),
      call('edit', FIX_GREET),
      call('run_tests', {}),
      call('finish', {summary: 'fixed add and greet'}),
      verdict('approve'),
    ])
    const {repo, db, events, outcome} = await run({model})

    expect(outcome.status).toBe('done')
    expect(outcome.exitCode).toBe(0)
    expect(read(repo, 'src/add.js')).toContain('return a + b')
    expect(read(repo, 'src/greet.js')).toContain("'hello ' + name")
    const row = getLineageTask(db, outcome.taskId)!
    expect(row).toMatchObject({status: 'done', summary: 'fixed add and greet', depth: 0})
    expect(row.tx_id).toBe(outcome.results[0]!.txId)
    expect(row.tokens).toBeGreaterThan(0)

    const logged = listEvents(db, outcome.taskId)
    const results = logged.filter((event) => event.type === 'tool_result')
    expect(results.map((event) => (event.payload as {tool: string}).tool)).toEqual(['read_file', 'edit', 'edit', 'run_tests', 'finish'])
    expect((results[3]!.payload as {output: string}).output).toMatch(/^PASSED/)
    expect(events.filter((event) => event.type === 'diff').map((event) => (event as {path: string}).path)).toEqual(['src/add.js', 'src/greet.js'])
    expect(logged.at(-1)).toMatchObject({type: 'task_finished', payload: {status: 'done'}})
  })

  it('keeps the system prompt and the tool list byte-identical across steps', async () => {
    const model = new ScriptedModel([
      call('read_file', {path: 'src/add.js'}),
      call('list_files', {}),
      call('search', {pattern: 'return'}),
      call('finish', {summary: 'looked around'}),
    ])
    await run({model, role: 'coder', files: PASSING})
    const steps = model.requests.filter((request) => request.tools)
    expect(steps).toHaveLength(4)
    const prefix = (index: number) => JSON.stringify({system: steps[index]!.messages[0], tools: steps[index]!.tools})
    for (let index = 1; index < steps.length; index++) expect(prefix(index)).toBe(prefix(0))
    for (let index = 1; index < steps.length; index++) {
      expect(JSON.stringify(steps[index]!.messages.slice(0, steps[index - 1]!.messages.length))).toBe(JSON.stringify(steps[index - 1]!.messages))
    }
  })

  it("puts the repository's AGENTS.md into the system prompt, or its CLAUDE.md where it has none", async () => {
    const both = new ScriptedModel([call('finish', {summary: 'nothing to do'})])
    await run({model: both, files: {...FIXTURE, 'AGENTS.md': 'Always use tabs.\n', 'CLAUDE.md': 'Never touch vendor/.\n'}})
    const system = both.requests[0]!.messages[0]!.content as string
    expect(system).toContain('## AGENTS.md\nAlways use tabs.')
    expect(system).not.toContain('Never touch vendor/.')
    const claude = new ScriptedModel([call('finish', {summary: 'nothing to do'})])
    await run({model: claude, files: {...FIXTURE, 'CLAUDE.md': 'Never touch vendor/.\n'}})
    expect(claude.requests[0]!.messages[0]!.content).toContain('## CLAUDE.md\nNever touch vendor/.')
  })

  it("shows a directory's instructions with the first result that touches a file under it, the nearest last, and the root's only in the system prompt", async () => {
    const files = {
      ...PASSING,
      'AGENTS.md': 'Root rule.\n',
      'src/AGENTS.md': 'Src rule.\n',
      'src/util/CLAUDE.md': 'Util rule.\n',
      'src/util/pad.js': 'export const pad = 1\n',
    }
    const model = new ScriptedModel([
      call('read_file', {path: 'test.js'}),
      call('read_file', {path: 'src/util/pad.js'}),
      call('read_file', {path: 'src/add.js'}),
      call('read_file', {path: 'src/util/pad.js'}),
      call('read_file', {path: 'src/nope.js'}),
      call('finish', {summary: 'read'}),
    ])
    const {events} = await run({model, files, role: 'analyst'})
    const outputs = events.filter((event) => event.type === 'tool_result' && event.tool === 'read_file').map((event) => (event as {output: string}).output)
    expect(outputs[0]).not.toContain('rule.')
    expect(outputs[1]).toMatch(/^export const pad = 1\n+# Instructions from the repository for these files\n/)
    expect(outputs[1]).toContain('## src/AGENTS.md (for src/)\nSrc rule.\n\n## src/util/CLAUDE.md (for src/util/)\nUtil rule.')
    expect(outputs[1]).not.toContain('Root rule.')
    for (const later of outputs.slice(2)) expect(later).not.toContain('rule.')
    const system = model.requests[0]!.messages[0]!.content as string
    expect(system).toContain('Root rule.')
    expect(system).not.toContain('Src rule.')
    const toolMessages = model.requests.at(-1)!.messages.filter((message) => message.role === 'tool').map((message) => message.content as string)
    expect(toolMessages[1]).toBe(outputs[1])
  })

  it('keeps what the model remembers in the state database, masked, a repeat strengthening the fact kept', async () => {
    const token = checksummedToken()
    const model = new ScriptedModel([
      call('remember', {text: 'Run the tests with node test.js', kind: 'test-command'}),
      call('remember', {text: 'Run the tests with node test.js', kind: 'test-command'}),
      call('remember', {text: `the deploy token is ${token}`}),
      call('remember', {text: 'x'.repeat(2001)}),
      call('finish', {summary: 'learnt'}),
    ])
    const {db, events} = await run({model, files: PASSING, role: 'analyst', redact: redactText})
    const outputs = events.filter((event) => event.type === 'tool_result' && event.tool === 'remember').map((event) => (event as {status: string; output: string}))
    expect(outputs.map((output) => output.status)).toEqual(['ok', 'ok', 'ok', 'error'])
    expect(outputs[0]!.output).toBe('Remembered.')
    expect(outputs[1]!.output).toBe('Already known; the fact is now stronger.')
    expect(outputs[2]!.output).toMatch(/masked/)
    expect(db.prepare('SELECT kind, text, source, uses FROM facts ORDER BY id').all()).toEqual([
      {kind: 'test-command', text: 'Run the tests with node test.js', source: 'agent', uses: 2},
      {kind: 'note', text: 'the deploy token is [REDACTED:github-pat]', source: 'agent', uses: 1},
    ])
  })

  it('answers invalid arguments and unknown tools with an observation, not a crash', async () => {
    const model = new ScriptedModel([
      {toolCalls: [{name: 'read_file', arguments: '{"path": '}]},
      call('read_file', {path: 42}),
      call('delete_everything', {}),
      call('finish', {summary: 'gave up'}),
    ])
    const {events, outcome} = await run({model, files: PASSING})
    expect(outcome.status).toBe('done')
    const errors = events.filter((event) => event.type === 'tool_result' && event.status === 'error').map((event) => (event as {output: string}).output)
    expect(errors).toHaveLength(3)
    expect(errors[0]).toMatch(/not valid JSON/)
    expect(errors[1]).toMatch(/path/)
    expect(errors[2]).toMatch(/unknown tool "delete_everything"/)
  })

  it('applies a unified diff, creates a file, and searches and lists what is staged', async () => {
    const patch = '--- a/src/add.js\n+++ b/src/add.js\n@@ -1,3 +1,3 @@\n export function add(a, b) {\n-  return a - b\n+  return a + b\n }\n'
    const model = new ScriptedModel([
      call('apply_patch', {path: 'src/add.js', patch}),
      call('write_file', {path: 'src/util/new.js', content: 'export const sum = 1\n'}),
      call('search', {pattern: 'a \\+ b|sum'}),
      call('list_files', {directory: 'src/util'}),
      call('edit', FIX_GREET),
      call('finish', {summary: 'patched'}),
      verdict('approve'),
    ])
    const {repo, events, outcome} = await run({model})
    expect(outcome.status).toBe('done')
    const output = (tool: string) => (events.find((event) => event.type === 'tool_result' && event.tool === tool) as {output: string}).output
    expect(output('search').split('\n').sort()).toEqual(['src/add.js:2:  return a + b', 'src/util/new.js:1:export const sum = 1'])
    expect(output('list_files')).toBe('src/util/new.js')
    expect(read(repo, 'src/add.js')).toContain('return a + b')
    expect(read(repo, 'src/util/new.js')).toBe('export const sum = 1\n')
  })

  it('applies a diff of several files, as git diff prints it, to each file it names, or to none when one part fails', async () => {
    const both = [
      '--- a/src/add.js\n+++ b/src/add.js\n@@ -1,3 +1,3 @@\n export function add(a, b) {\n-  return a - b\n+  return a + b\n }\n',
      "--- a/src/greet.js\n+++ b/src/greet.js\n@@ -1,3 +1,3 @@\n export function greet(name) {\n-  return 'hi ' + name\n+  return 'hello ' + name\n }\n",
      '--- /dev/null\n+++ b/NOTES.md\n@@ -0,0 +1 @@\n+fixed add and greet\n',
    ].join('')
    const halfForeign = both.replace('-  return a - b', '-  return a * b')
    const model = new ScriptedModel([
      call('apply_patch', {patch: halfForeign}),
      call('apply_patch', {patch: both}),
      call('finish', {summary: 'patched both'}),
      verdict('approve'),
    ])
    const {repo, events, outcome} = await run({model})
    const results = events.filter((event) => event.type === 'tool_result' && event.tool === 'apply_patch') as {status: string; output: string}[]
    expect(results.map((result) => result.status)).toEqual(['error', 'ok'])
    expect(results[1]!.output.split('\n')).toHaveLength(3)
    expect(outcome.status).toBe('done')
    expect(read(repo, 'src/add.js')).toContain('return a + b')
    expect(read(repo, 'src/greet.js')).toContain("'hello ' + name")
    expect(read(repo, 'NOTES.md')).toBe('fixed add and greet\n')
  })

  it('answers a patch that does not apply, an ambiguous or missing search and a binary file with an error, staging nothing', async () => {
    const foreign = '--- a/src/add.js\n+++ b/src/add.js\n@@ -1,3 +1,3 @@\n function mul(a, b) {\n-  return a * b\n+  return b * a\n }\n'
    const model = new ScriptedModel([
      call('apply_patch', {path: 'src/add.js', patch: foreign}),
      call('edit', {path: 'src/add.js', edits: [{search: ' b', replace: ' c'}]}),
      call('edit', {path: 'src/add.js', edits: [{search: 'return a - b', replace: 'return a + b'}, {search: 'no such text', replace: 'x'}]}),
      call('edit', {path: 'logo.png', edits: [{search: 'P', replace: 'Q'}]}),
      call('finish', {summary: 'could not edit'}),
    ])
    const {repo, events, outcome} = await run({model, files: {...PASSING, 'logo.png': '\u0089PNG\u0000\u0001'}})
    const results = events.filter((event) => event.type === 'tool_result' && event.tool !== 'finish') as {status: string; output: string}[]
    expect(results.map((result) => result.status)).toEqual(['error', 'error', 'error', 'error'])
    expect(results[0]!.output).toMatch(/1 of 1 hunks failed in src\/add\.js; nothing was applied/)
    expect(results[1]!.output).toMatch(/matches 2 times/)
    // The guard stopped that call while it streamed, at the first character of its second search not in the file.
    expect(results[2]!.output).toMatch(/edits\[1\]\.search is not in src\/add\.js as edits\[0\] leaves it/)
    expect(results[3]!.output).toMatch(/logo\.png is a binary file/)
    expect(events.filter((event) => event.type === 'diff')).toEqual([])
    expect(outcome.status).toBe('done')
    expect(read(repo, 'src/add.js')).toBe(FIXTURE['src/add.js'])
  })

  it('bounds a huge tool result before it reaches the model or the log', async () => {
    const big = 'x'.repeat(100_000)
    const model = new ScriptedModel([call('read_file', {path: 'big.txt'}), call('finish', {summary: 'read it'})])
    const {events} = await run({model, files: {...FIXTURE, 'big.txt': big}})
    const result = events.find((event) => event.type === 'tool_result' && event.tool === 'read_file') as {output: string; truncated: boolean}
    expect(result.truncated).toBe(true)
    expect(result.output.length).toBeLessThan(17_000)
    const toolMessage = model.requests[1]!.messages.at(-1)!
    expect((toolMessage.content as string).length).toBeLessThan(17_000)
  })
})

describe('the agent loop with JSON actions', () => {
  it('does the same two-file task with one JSON object per step under a schema constraint', async () => {
    const model = new ScriptedModel([
      action('read_file', {path: 'src/add.js'}),
      action('edit', FIX_ADD),
      action('edit', FIX_GREET),
      action('finish', {summary: 'fixed both'}),
      verdict('approve'),
    ])
    const {repo, outcome} = await run({model, options: {settings: {protocol: 'json'}}})
    expect(outcome.status).toBe('done')
    expect(read(repo, 'src/add.js')).toContain('return a + b')
    expect(read(repo, 'src/greet.js')).toContain("'hello ' + name")
    const steps = model.requests.slice(0, 4)
    expect(steps.every((request) => request.tools === undefined)).toBe(true)
    expect(steps[0]!.messages[0]!.content).toMatch(/exactly one JSON object/)
    expect(steps[1]!.messages.at(-1)).toMatchObject({role: 'user', content: expect.stringMatching(/^Result of read_file \(ok\)/)})
  })

  it('narrows an edit to the files read, each search text one that occurs once in the file as staged, when the engine constrains edits (issue 18)', async () => {
    const model = new ScriptedModel([
      action('read_file', {path: 'src/add.js'}),
      action('edit', FIX_ADD),
      action('finish', {summary: 'fixed add'}),
      verdict('approve'),
    ])
    await run({model, files: PASSING, options: {settings: {protocol: 'json', constrainEditSearch: true}}})
    const substrings = (index: number) => [...JSON.stringify((model.requests[index] as SeenRequest).sentSchema).matchAll(/"x-pyagent-substring-of":("(?:[^"\\]|\\.)*")/g)].map((match) => JSON.parse(match[1]!) as string)
    expect(substrings(0)).toEqual([])
    expect(substrings(1)).toEqual([FIXTURE['src/add.js']])
    // After the edit, the constraint follows the staged text, not the file on disk.
    expect(substrings(2)).toEqual([FIXTURE['src/add.js'].replace('a - b', 'a + b')])
  })

  it('makes the files a task names edit targets from the first step, and offers no patch tool where edits are constrained (issue 18)', async () => {
    const model = new ScriptedModel([action('edit', FIX_ADD), action('finish', {summary: 'fixed add'}), verdict('approve')])
    const {outcome} = await run({model, files: PASSING, task: 'Fix add in src/add.js', options: {settings: {protocol: 'json', constrainEditSearch: true}}})
    expect(outcome.status).toBe('done')
    const first = JSON.stringify((model.requests[0] as SeenRequest).sentSchema)
    expect(first).toContain(JSON.stringify(FIXTURE['src/add.js']))
    expect(first).not.toContain('apply_patch')
    expect(model.requests[0]!.messages[0]!.content).not.toContain('apply_patch')
  })

  it('sends the plain edit schema when the server does not constrain edits', async () => {
    const model = new ScriptedModel([action('read_file', {path: 'src/add.js'}), action('finish', {summary: 'nothing'}), verdict('approve')])
    await run({model, files: PASSING, options: {settings: {protocol: 'json'}}})
    expect(JSON.stringify((model.requests[1] as SeenRequest).sentSchema)).not.toContain('x-pyagent-substring-of')
  })

  it('switches to JSON actions when the server has no tool-call parser (protocol auto)', async () => {
    const model = new ScriptedModel([
      () => {
        throw Object.assign(new Error('"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set'), {status: 400})
      },
      action('finish', {summary: 'nothing to change'}),
    ])
    const {events, outcome} = await run({model, files: PASSING, options: {settings: {protocol: 'auto'}}})
    expect(outcome.status).toBe('done')
    expect(events.find((event) => event.type === 'protocol')).toMatchObject({protocol: 'json'})
  })
})

describe('acceptance and reflection', () => {
  it('feeds a failing test run back to the model, which revises and then succeeds', async () => {
    const model = new ScriptedModel([
      call('edit', FIX_ADD),
      call('finish', {summary: 'fixed add'}),
      call('edit', FIX_GREET),
      call('finish', {summary: 'fixed add and greet'}),
      verdict('approve'),
    ])
    const {repo, events, outcome} = await run({model})
    expect(outcome.status).toBe('done')
    const checks = events.filter((event) => event.type === 'check').map((event) => (event as {passed: boolean}).passed)
    expect(checks).toEqual([false, true])
    const feedback = model.requests[2]!.messages.at(-1)!
    expect(feedback.content).toMatch(/tests fail[\s\S]*greet is wrong/)
    expect(read(repo, 'src/greet.js')).toContain('hello')
  })

  it('asks for a revision when the critic says so, within bounded rounds', async () => {
    const model = new ScriptedModel([
      call('edit', FIX_ADD),
      call('edit', FIX_GREET),
      call('finish', {summary: 'done'}),
      verdict('revise', 'add a comment'),
      call('edit', {path: 'src/add.js', edits: [{search: 'export function add', replace: '// adds\nexport function add'}]}),
      call('finish', {summary: 'done, with a comment'}),
      verdict('approve'),
    ])
    const {repo, outcome, events} = await run({model})
    expect(outcome.status).toBe('done')
    expect(read(repo, 'src/add.js')).toMatch(/^\/\/ adds/)
    expect(events.filter((event) => event.type === 'reflection').map((event) => (event as {verdict: string}).verdict)).toEqual(['revise', 'approve'])
  })

  it('rolls back on a rejection and leaves every file as it was (exit 3)', async () => {
    const model = new ScriptedModel([call('edit', FIX_ADD), call('edit', FIX_GREET), call('finish', {summary: 'done'}), verdict('reject', 'wrong approach')])
    const {repo, db, outcome} = await run({model})
    expect(outcome).toMatchObject({status: 'rejected', exitCode: 3})
    expect(read(repo, 'src/add.js')).toBe(FIXTURE['src/add.js'])
    expect(read(repo, 'src/greet.js')).toBe(FIXTURE['src/greet.js'])
    expect(repo.git('status', '--porcelain')).toBe('')
    expect(getLineageTask(db, outcome.taskId)).toMatchObject({status: 'rejected', tx_id: null})
  })

  it('fails and rolls back when the tests still fail after the last revision', async () => {
    const model = new ScriptedModel([call('edit', FIX_ADD), call('finish', {summary: 'a'}), call('finish', {summary: 'b'})])
    const {repo, outcome} = await run({model, options: {settings: {maxRevisions: 1}}})
    expect(outcome).toMatchObject({status: 'failed', exitCode: 1})
    expect(read(repo, 'src/add.js')).toBe(FIXTURE['src/add.js'])
  })
})

describe('budgets', () => {
  it('stops at the step budget, rolls back, and exits 2', async () => {
    const model = new ScriptedModel([call('edit', FIX_ADD)], () => call('read_file', {path: 'src/add.js'}))
    const {repo, outcome, events} = await run({model, options: {budget: {maxSteps: 3}}})
    expect(outcome).toMatchObject({status: 'budget_exhausted', exitCode: 2})
    expect(outcome.summary).toMatch(/step budget exhausted \(3 of 3 steps\)/)
    expect(model.requests).toHaveLength(3)
    expect(read(repo, 'src/add.js')).toBe(FIXTURE['src/add.js'])
    expect(events.some((event) => event.type === 'rolled_back')).toBe(true)
  })

  it('stops at the token budget', async () => {
    const model = new ScriptedModel([], () => ({...call('list_files', {}), promptTokens: 400, completionTokens: 100}))
    const {outcome} = await run({model, options: {budget: {maxTokens: 1200}}})
    expect(outcome.status).toBe('budget_exhausted')
    expect(outcome.summary).toMatch(/token budget/)
    expect(model.requests).toHaveLength(3)
  })

  it('the cost monitor moves to the cheaper model near the limit', async () => {
    const expensive = new ScriptedModel([{...call('list_files', {}), costUsd: 0.9}])
    const cheap = new ScriptedModel([call('finish', {summary: 'done cheaply'})])
    const {events, outcome} = await run({model: expensive, cheaperModel: cheap, role: 'cost', files: PASSING, options: {budget: {maxCostUsd: 1}}})
    expect(outcome.status).toBe('done')
    expect(events.find((event) => event.type === 'model_switch')).toMatchObject({model: 'small'})
    expect(cheap.requests).toHaveLength(1)
  })

  it('the cost monitor stops early when there is no cheaper model', async () => {
    const model = new ScriptedModel([], () => ({...call('list_files', {}), costUsd: 0.45}))
    const {outcome} = await run({model, role: 'cost', options: {budget: {maxCostUsd: 1}}})
    expect(outcome.status).toBe('budget_exhausted')
    expect(outcome.summary).toMatch(/no cheaperModel/)
    expect(model.requests).toHaveLength(2)
  })
})

describe('roles', () => {
  it('the analyst cannot edit: edit tools are not offered and a call to one is refused', async () => {
    const model = new ScriptedModel([call('edit', FIX_ADD), call('finish', {summary: 'add subtracts'})])
    const {repo, outcome, events} = await run({model, role: 'analyst', task: 'What does add do?'})
    expect(outcome.status).toBe('done')
    expect(outcome.summary).toBe('add subtracts')
    expect(model.requests[0]!.tools!.map((tool) => tool.function.name)).toEqual(['read_file', 'list_files', 'search', 'search_code', 'remember', 'finish'])
    expect(events.find((event) => event.type === 'tool_result' && event.tool === 'edit')).toMatchObject({status: 'error'})
    expect(read(repo, 'src/add.js')).toBe(FIXTURE['src/add.js'])
  })

  it('the perf role rolls back a change that does not make the benchmark faster by the margin', async () => {
    const files = {...FIXTURE, 'bench.js': "import './src/add.js'\n"}
    const model = new ScriptedModel([call('edit', FIX_ADD), call('edit', FIX_GREET), call('finish', {summary: 'faster?'}), verdict('approve')])
    const {repo, outcome, events} = await run({model, role: 'perf', files, options: {settings: {benchmarkCommand: 'node bench.js', perfMarginPct: 90}}})
    expect(outcome).toMatchObject({status: 'rejected', exitCode: 3})
    expect(events.find((event) => event.type === 'check' && event.name === 'benchmark')).toMatchObject({passed: false})
    expect(read(repo, 'src/add.js')).toBe(FIXTURE['src/add.js'])
  })

  it('the perf role keeps a change that makes the benchmark faster and passes the tests', async () => {
    const files = {
      ...FIXTURE,
      'src/work.js': 'export function work() {\n  const end = Date.now() + 400\n  while (Date.now() < end);\n}\n',
      'bench.js': "import {work} from './src/work.js'\nwork()\n",
    }
    const model = new ScriptedModel([
      call('edit', {path: 'src/work.js', edits: [{search: 'Date.now() + 400', replace: 'Date.now()'}]}),
      call('edit', FIX_ADD),
      call('edit', FIX_GREET),
      call('finish', {summary: 'work no longer spins'}),
      verdict('approve'),
    ])
    const {repo, outcome, events} = await run({model, role: 'perf', files, options: {settings: {benchmarkCommand: 'node bench.js', perfMarginPct: 10}}})
    expect(events.find((event) => event.type === 'check' && event.name === 'benchmark')).toMatchObject({passed: true})
    expect(outcome.status).toBe('done')
    expect(read(repo, 'src/work.js')).toContain('const end = Date.now()\n')
  })

  it('the legal role reads the licences of the declared dependencies and cannot edit', async () => {
    const files = {
      ...FIXTURE,
      'package.json': '{"type": "module", "dependencies": {"left-pad": "1.3.0", "gone": "1.0.0"}}\n',
      'node_modules/left-pad/package.json': '{"name": "left-pad", "license": "WTFPL"}\n',
    }
    const model = new ScriptedModel([call('dependency_licenses', {}), call('finish', {summary: 'left-pad is WTFPL; gone is not installed'})])
    const {outcome, events} = await run({model, role: 'legal', files, task: 'Audit the licences'})
    expect(outcome.status).toBe('done')
    expect(model.requests[0]!.tools!.map((tool) => tool.function.name)).toEqual(['read_file', 'list_files', 'search', 'search_code', 'dependency_licenses', 'remember', 'finish'])
    const output = (events.find((event) => event.type === 'tool_result' && event.tool === 'dependency_licenses') as {output: string}).output
    expect(output).toBe('npm left-pad: WTFPL\nnpm gone: not installed (licence unknown)')
  })

  it('asks before a command outside the allow-list and reports a refusal to the model', async () => {
    const model = new ScriptedModel([call('run_command', {command: 'rm -rf src'}), call('finish', {summary: 'stopped'})])
    const asked: string[] = []
    const {repo, events} = await run({model, options: {approve: async (_kind, subject) => (asked.push(subject), false)}})
    expect(asked).toEqual(['rm -rf src'])
    expect(events.find((event) => event.type === 'tool_result' && event.tool === 'run_command')).toMatchObject({status: 'refused'})
    expect(read(repo, 'src/add.js')).toBe(FIXTURE['src/add.js'])
  })
})

describe('interrupts', () => {
  it('an abort mid-stream rolls back, records the task as interrupted, and leaves the repo unchanged', async () => {
    const controller = new AbortController()
    const model = new ScriptedModel([
      call('edit', FIX_ADD),
      call('write_file', {path: 'src/new.js', content: 'export const x = 1\n'}),
      {text: 'Now I will carefully think about the next change for a long while', delayMs: 20},
    ])
    const {repo, db, outcome} = await run({
      model,
      options: {signal: controller.signal},
      onEvent: (event) => {
        if (event.type === 'text') controller.abort()
      },
    })
    expect(outcome).toMatchObject({status: 'interrupted', exitCode: 130})
    expect(repo.git('status', '--porcelain')).toBe('')
    expect(read(repo, 'src/add.js')).toBe(FIXTURE['src/add.js'])
    expect(getLineageTask(db, outcome.taskId)!.status).toBe('interrupted')
  })
})

describe('redaction of what a run records', () => {
  const TOKEN = checksummedToken()
  const EMAIL = 'release.manager@example.org'
  const leaky = () =>
    new ScriptedModel([
      call('edit', FIX_ADD),
      call('edit', FIX_GREET),
      call('write_file', {path: 'src/owner.js', content: `// ${EMAIL}\nexport const owner = 1\n`}),
      call('finish', {summary: `fixed add; the deploy token ${TOKEN} still works`}),
      verdict('approve', `fine; mail ${EMAIL} to rotate ${TOKEN}`),
    ])
  const task = `Fix add. The deploy token is ${TOKEN}; ask ${EMAIL}`

  it('keeps secrets and personal data in the task, tool-call arguments and feedback out of the event log, the listeners and the task row', async () => {
    const {db, events, outcome} = await run({model: leaky(), task, redact: (text) => redactText(text)})
    expect(outcome.status).toBe('done')
    const recorded = JSON.stringify({log: listEvents(db, outcome.taskId), events, row: getLineageTask(db, outcome.taskId), outcome})
    expect(recorded).not.toContain(TOKEN)
    expect(recorded).not.toContain(TOKEN.slice(4, 20))
    expect(recorded).not.toContain(EMAIL)
    expect(getLineageTask(db, outcome.taskId)!.title).toBe('Fix add. The deploy token is [REDACTED:github-pat]; ask [REDACTED:email]')
    const call = events.find((event) => event.type === 'tool_call' && event.tool === 'write_file')
    expect(call).toMatchObject({arguments: {path: 'src/owner.js', content: '// [REDACTED:email]\nexport const owner = 1\n'}})
    // Events keep their order through the asynchronous redaction.
    expect(events.map((event) => event.type).filter((type) => type === 'task_started' || type === 'task_finished')).toEqual(['task_started', 'task_finished'])
    expect(events[0]!.type).toBe('task_started')
    expect(events.at(-1)!.type).toBe('task_finished')
  })

  it('records them as given when the redactor masks nothing (the control for the test above)', async () => {
    const {db, outcome} = await run({model: leaky(), task})
    expect(outcome.status).toBe('done')
    const recorded = JSON.stringify(listEvents(db, outcome.taskId))
    expect(recorded).toContain(TOKEN)
    expect(recorded).toContain(EMAIL)
  })
})
