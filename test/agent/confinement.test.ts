/**
 * Code the model wrote runs confined or not at all (issue 14, defect 3): a test file the model
 * rewrote to write outside the repository and plant a git hook in the real repository must not
 * get to do either, with bubblewrap (confined) or without it (refused unless approved).
 */
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'

import {bubblewrapAvailable} from '../../src/workspace/command-runner.js'
import {tempDir} from '../support/temp-repo.js'
import {prepare, read, run} from './harness.js'
import type {ChatRequest} from '../../src/agent/ports.js'
import {call, ScriptedModel, type ScriptedReply, verdict} from './support.js'

function hostileTest(outside: string, repoRoot: string): string {
  return [
    "const fs = require('node:fs')",
    `try { fs.writeFileSync(${JSON.stringify(join(outside, 'pwned'))}, 'x') } catch {}`,
    `try { fs.writeFileSync(${JSON.stringify(join(repoRoot, '.git', 'hooks', 'post-commit'))}, '#!/bin/sh\\necho planted\\n', {mode: 0o755}) } catch {}`,
    "console.log('all tests pass')",
  ].join('\n')
}

async function hostileRun(settings: {commandSandbox: 'none' | 'auto'}, approveCommands: boolean) {
  const outside = tempDir('pyagent-outside-')
  const files = {'package.json': '{"type": "commonjs"}\n', 'test.js': "console.log('all tests pass')\n", 'src/a.js': 'module.exports = 1\n'}
  const prepared = prepare(files)
  const model = new ScriptedModel([
    call('write_file', {path: 'test.js', content: hostileTest(outside, prepared.repo.root)}),
    call('run_tests', {}),
    call('finish', {summary: 'tests pass'}),
    verdict('reject', 'no'),
  ])
  const result = await run(
    {model, task: 'make the tests pass', options: {approve: async (kind) => kind === 'edit' || approveCommands}, config: {commandSandbox: settings.commandSandbox}},
    prepared,
  )
  return {...result, outside, hook: join(result.repo.root, '.git', 'hooks', 'post-commit')}
}

describe('code the model changed', () => {
  it('without bubblewrap, is not run unless approved, and says how to allow it', async () => {
    const {events, outside, hook} = await hostileRun({commandSandbox: 'none'}, false)
    const tests = events.find((event) => event.type === 'tool_result' && event.tool === 'run_tests') as {status: string; output: string}
    expect(tests.status).toBe('refused')
    expect(tests.output).toMatch(/unconfined on this machine .* install bubblewrap .* --approve commands/i)
    expect(existsSync(join(outside, 'pwned'))).toBe(false)
    expect(existsSync(hook)).toBe(false)
  })

  it.skipIf(!bubblewrapAvailable())('with bubblewrap, runs confined: nothing outside its copy is written, the real .git/ least of all', async () => {
    const {events, outside, hook} = await hostileRun({commandSandbox: 'auto'}, true)
    const tests = events.find((event) => event.type === 'tool_result' && event.tool === 'run_tests') as {status: string; output: string}
    expect(tests.status).toBe('ok')
    expect(tests.output).toMatch(/^PASSED/)
    expect(existsSync(join(outside, 'pwned'))).toBe(false)
    expect(existsSync(hook)).toBe(false)
  })
})

/** A package.json whose test script writes outside the repository and plants a hook in the real .git/. */
function hostileManifest(outside: string, repoRoot: string): string {
  const script = [
    "const fs = require('node:fs')",
    `try { fs.writeFileSync(${JSON.stringify(join(outside, 'pwned'))}, 'x') } catch {}`,
    `try { fs.writeFileSync(${JSON.stringify(join(repoRoot, '.git', 'hooks', 'post-commit'))}, '#!/bin/sh\\necho planted\\n', {mode: 0o755}) } catch {}`,
    "console.log('all tests pass')",
  ].join(';')
  return `${JSON.stringify({type: 'commonjs', scripts: {test: `node -e ${JSON.stringify(script)}`}}, null, 2)}\n`
}

async function hostileManifestRun(commandSandbox: 'none' | 'auto', approveCommands: boolean) {
  // Outside /tmp, which bubblewrap replaces with a private tmpfs: a write there would be real.
  const outside = mkdtempSync('/var/tmp/pyagent-outside-')
  onTestFinished(() => rmSync(outside, {recursive: true, force: true}))
  const prepared = prepare({'package.json': '{"type": "commonjs", "scripts": {"test": "node test.js"}}\n', 'test.js': "console.log('all tests pass')\n"})
  const model = new ScriptedModel([
    call('write_file', {path: 'package.json', content: hostileManifest(outside, prepared.repo.root)}),
    call('run_tests', {}),
    call('finish', {summary: 'tests pass'}),
    verdict('reject', 'no'),
  ])
  const result = await run(
    {
      model,
      task: 'make the tests pass',
      options: {approve: async (kind) => kind === 'edit' || approveCommands, settings: {testCommand: 'npm test'}},
      config: {commandSandbox},
    },
    prepared,
  )
  return {...result, outside, hook: join(result.repo.root, '.git', 'hooks', 'post-commit')}
}

describe('a package.json test script the model staged', {timeout: 60_000}, () => {
  it('without bubblewrap, is not run unless approved; the question names the changed files', async () => {
    const {events, outside, hook} = await hostileManifestRun('none', false)
    // Asked at run_tests, and again when finish runs the tests for acceptance.
    const asked = events.filter((event) => event.type === 'approval' && event.kind === 'command')
    expect(asked.length).toBeGreaterThan(0)
    for (const question of asked) expect(question).toMatchObject({approved: false, subject: expect.stringMatching(/^npm test .*unconfined.*package\.json/)})
    const tests = events.find((event) => event.type === 'tool_result' && event.tool === 'run_tests') as {status: string}
    expect(tests.status).toBe('refused')
    expect(existsSync(join(outside, 'pwned'))).toBe(false)
    expect(existsSync(hook)).toBe(false)
  })

  it.skipIf(!bubblewrapAvailable())('with bubblewrap, runs without asking, and writes neither outside the repository nor into the real .git/', async () => {
    const {events, outside, hook} = await hostileManifestRun('auto', false)
    expect(events.some((event) => event.type === 'approval' && event.kind === 'command')).toBe(false)
    const tests = events.find((event) => event.type === 'tool_result' && event.tool === 'run_tests') as {status: string; output: string}
    expect(tests.output).toMatch(/^PASSED[\s\S]*all tests pass/)
    expect(existsSync(join(outside, 'pwned'))).toBe(false)
    expect(existsSync(hook)).toBe(false)
  })
})

describe('other ways model-written code could run or land unconfined', () => {
  it('the perf role does not time a benchmark over its edits unconfined without approval', async () => {
    const outside = tempDir('pyagent-outside-')
    const files = {'bench.js': "console.log('fast')\n", 'src/a.js': 'module.exports = 1\n'}
    const model = new ScriptedModel([
      call('write_file', {path: 'bench.js', content: `require('node:fs').writeFileSync(${JSON.stringify(join(outside, 'pwned'))}, 'x')\n`}),
      call('finish', {summary: 'faster'}),
    ])
    const {outcome} = await run({
      model,
      role: 'perf',
      files,
      task: 'make it faster',
      options: {approve: async (kind) => kind === 'edit', settings: {testCommand: undefined, benchmarkCommand: 'node bench.js'}},
      config: {commandSandbox: 'none'},
    })
    expect(outcome.status).toBe('failed')
    expect(outcome.summary).toMatch(/node bench\.js.*unconfined.*bench\.js.*--approve commands/)
    expect(existsSync(join(outside, 'pwned'))).toBe(false)
  })

  it('a command outside the allow-list over staged edits is asked about once, naming the edits and that it runs unconfined', async () => {
    const model = new ScriptedModel([
      call('write_file', {path: 'src/a.js', content: 'module.exports = 2\n'}),
      call('run_command', {command: 'ls src'}),
      call('finish', {summary: 'done'}),
      verdict('approve'),
    ])
    const {events} = await run({
      model,
      files: {'src/a.js': 'module.exports = 1\n'},
      options: {approve: async (kind) => kind === 'edit', settings: {testCommand: undefined}},
      config: {commandSandbox: 'none'},
    })
    const asked = events.filter((event) => event.type === 'approval' && event.kind === 'command')
    expect(asked).toEqual([expect.objectContaining({approved: false, subject: expect.stringMatching(/^ls src .*unconfined.*src\/a\.js/)})])
  })

  it('asks about the same command over the same changed files once per task, and again when the files change', async () => {
    const model = new ScriptedModel([
      call('write_file', {path: 'src/a.js', content: 'module.exports = 2\n'}),
      call('run_command', {command: 'ls src'}),
      call('run_command', {command: 'ls src'}),
      call('write_file', {path: 'src/b.js', content: 'module.exports = 3\n'}),
      call('run_command', {command: 'ls src'}),
      call('finish', {summary: 'done'}),
      verdict('approve'),
    ])
    let questions = 0
    const {events} = await run({
      model,
      files: {'src/a.js': 'module.exports = 1\n'},
      options: {approve: async (kind) => kind === 'edit' || ++questions > 0, settings: {testCommand: undefined}},
      config: {commandSandbox: 'none'},
    })
    expect(questions).toBe(2)
    const runs = events.filter((event) => event.type === 'tool_result' && event.tool === 'run_command') as {status: string}[]
    expect(runs.map((result) => result.status)).toEqual(['ok', 'ok', 'ok'])
    const asked = events.filter((event) => event.type === 'approval' && event.kind === 'command') as {subject: string}[]
    expect(asked.map((event) => event.subject)).toEqual([expect.stringMatching(/changed: src\/a\.js\)$/), expect.stringMatching(/changed: src\/a\.js, src\/b\.js\)$/)])
  })

  it('an edit staged under a directory the scratch copy links (node_modules) never reaches the real one before the commit', async () => {
    const files = {'node_modules/dep/index.js': 'module.exports = 1\n', 'test.js': "console.log('all tests pass')\n", '.gitignore': 'node_modules/\n'}
    const model = new ScriptedModel([
      call('write_file', {path: 'node_modules/dep/index.js', content: "require('node:fs').writeFileSync('planted', 'x')\n"}),
      call('run_tests', {}),
      call('finish', {summary: 'done'}),
      verdict('reject', 'no'),
    ])
    const {repo, events} = await run({model, files, task: 'edit the dependency', config: {commandSandbox: 'auto'}})
    expect(read(repo, 'node_modules/dep/index.js')).toBe('module.exports = 1\n')
    const tests = events.find((event) => event.type === 'tool_result' && event.tool === 'run_tests') as {status: string; output: string}
    expect(tests.status).toBe('error')
    expect(tests.output).toMatch(/node_modules\/dep\/index\.js.*node_modules/)
  })
})

const PLAN = [
  {key: 'write', title: 'Write the tool', role: 'coder', dependsOn: []},
  {key: 'run', title: 'Run the tool', role: 'coder', dependsOn: ['write']},
]

describe('code an earlier sub-task of the same run wrote', () => {
  it('without bubblewrap, is not run by a later sub-task unasked: the critic approving it is not the user approving it', async () => {
    const outside = tempDir('pyagent-outside-')
    const scripts: Record<string, ScriptedReply[]> = {
      'Write the tool': [call('write_file', {path: 'tool.js', content: `require('node:fs').writeFileSync(${JSON.stringify(join(outside, 'pwned'))}, 'x')\n`}), call('finish', {summary: 'written'})],
      'Run the tool': [call('run_command', {command: 'node tool.js'}), call('finish', {summary: 'ran it'})],
    }
    const model = new ScriptedModel([], (request: ChatRequest) => {
      const system = request.messages[0]!.content as string
      const user = request.messages[1]!.content as string
      if (system.startsWith('You plan work')) return {text: JSON.stringify({subtasks: PLAN})}
      if (system.startsWith('You review')) return verdict('approve')
      const turns = request.messages.filter((message) => message.role === 'assistant').length
      return scripts[user]![Math.min(turns, 1)]!
    })
    const {events} = await run({
      model,
      role: 'auto',
      task: 'Write the tool, then run it',
      files: {'src/a.js': 'module.exports = 1\n'},
      options: {approve: async (kind) => kind === 'edit', settings: {testCommand: undefined}},
      config: {commandSandbox: 'none'},
    })
    expect(events).toContainEqual(expect.objectContaining({type: 'committed', files: ['tool.js']}))
    const ran = events.find((event) => event.type === 'tool_result' && event.tool === 'run_command') as {status: string; output: string}
    expect(ran.status).toBe('refused')
    expect(ran.output).toMatch(/unconfined.*tool\.js/)
    expect(existsSync(join(outside, 'pwned'))).toBe(false)
  })
})
