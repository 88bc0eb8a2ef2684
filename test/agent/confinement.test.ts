/**
 * Code the model wrote runs confined or not at all (issue 14, defect 3): a test file the model
 * rewrote to write outside the repository and plant a git hook in the real repository must not
 * get to do either, with bubblewrap (confined) or without it (refused unless approved).
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {bubblewrapAvailable} from '../../src/workspace/command-runner.js'
import {tempDir} from '../support/temp-repo.js'
import {prepare, run} from './harness.js'
import {call, ScriptedModel, verdict} from './support.js'

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
