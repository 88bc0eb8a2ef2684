/**
 * The path policy as the agent's tools meet it (issue 14, defects 9 and 10): search shows only
 * what read_file may read, with ripgrep and without it, and a refused write names its rule.
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {run} from './harness.js'
import {call, ScriptedModel} from './support.js'

const FILES = {
  'src/app.js': 'export const TOKEN_NAME = "api"\n',
  'deploy/server.pem': 'TOKEN_PEM private bytes\n',
  'id_rsa': 'TOKEN_RSA private key\n',
  'secrets/prod.txt': 'TOKEN_PROD value\n',
  'weird:name.js': 'TOKEN_COLON in a file name with a colon\n',
  // A name the guard refuses (it holds a control character); ripgrep prints it whole, newline and all.
  'id_rsa\nnotes.txt': 'TOKEN_NEWLINE private key\n',
}
const DENY = ['*.pem', 'id_rsa*', 'secrets/**']

function hasRipgrep(): boolean {
  try {
    execFileSync('rg', ['--version'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

async function searchOutputs(calls: Record<string, unknown>[], env: Record<string, string | undefined> = {}) {
  const saved = {...process.env}
  Object.assign(process.env, env)
  try {
    const model = new ScriptedModel([...calls.map((args) => call('search', args)), call('finish', {summary: 'searched'})])
    const {events} = await run({model, files: FILES, denyPaths: DENY, task: 'find the tokens'})
    return events.filter((event) => event.type === 'tool_result' && event.tool === 'search').map((event) => (event as {output: string; status: string}))
  } finally {
    process.env = saved
  }
}

/** A PATH with git and nothing else, so the tool falls back to reading files itself. */
function pathWithoutRipgrep(): string {
  const bin = mkdtempSync(join(tmpdir(), 'pyagent-bin-'))
  symlinkSync(execFileSync('sh', ['-c', 'command -v git'], {encoding: 'utf8'}).trim(), join(bin, 'git'))
  return bin
}

describe.each([
  ['with ripgrep', {}],
  ['without ripgrep', {PATH: pathWithoutRipgrep()}],
])('the search tool %s', (name, env) => {
  it.skipIf(name === 'with ripgrep' && !hasRipgrep())('never shows a denied file, keeps a colon in a file name, and refuses directories outside the repository or denied', async () => {
    const [everything, outside, denied] = await searchOutputs([{pattern: 'TOKEN_'}, {pattern: 'TOKEN_', directory: '../'}, {pattern: 'TOKEN_', directory: 'secrets'}], env)
    expect(everything!.output.split('\n').sort()).toEqual(['src/app.js:1:export const TOKEN_NAME = "api"', 'weird:name.js:1:TOKEN_COLON in a file name with a colon'])
    expect(outside!.status).toBe('refused')
    expect(outside!.output).toMatch(/outside the workspace/)
    expect(denied!.status).toBe('refused')
    expect(denied!.output).toContain('secrets/**')
  })
})

describe('a write the deny rules refuse', () => {
  it('is refused naming the rule and how to change it, and nothing is written', async () => {
    const model = new ScriptedModel([call('write_file', {path: '.env', content: 'TOKEN=1\n'}), call('finish', {summary: 'tried'})])
    const {events, repo} = await run({model, files: FILES, denyPaths: ['.env'], task: 'write the env file'})
    const result = events.find((event) => event.type === 'tool_result' && event.tool === 'write_file') as {status: string; output: string}
    expect(result.status).toBe('refused')
    expect(result.output).toContain('matches the deny rule ".env"')
    expect(result.output).toContain('pyagent config set denyPaths')
    expect(repo.git('status', '--porcelain', '--untracked-files=all')).not.toContain('.env')
  })

  it('refuses an edit, a patch or a read of a denied file the same way, and never offers denyPaths for .git/', async () => {
    const model = new ScriptedModel([
      call('edit', {path: '.env', edits: [{search: 'A=1', replace: 'A=2'}]}),
      call('apply_patch', {path: 'deploy/server.pem', patch: '--- a/deploy/server.pem\n+++ b/deploy/server.pem\n@@ -1 +1 @@\n-TOKEN_PEM private bytes\n+x\n'}),
      call('read_file', {path: '.env'}),
      call('write_file', {path: '.git/config', content: '[core]\n'}),
      call('finish', {summary: 'tried'}),
    ])
    const {events, repo} = await run({model, files: {...FILES, '.env': 'A=1\n'}, denyPaths: ['.env', ...DENY], task: 'edit the env file'})
    const results = events.filter((event) => event.type === 'tool_result' && event.tool !== 'finish') as unknown as {tool: string; status: string; output: string}[]
    expect(results.map((result) => [result.tool, result.status])).toEqual([['edit', 'refused'], ['apply_patch', 'refused'], ['read_file', 'refused'], ['write_file', 'refused']])
    expect(results[0]!.output).toContain('matches the deny rule ".env"')
    expect(results[1]!.output).toContain('matches the deny rule "*.pem"')
    for (const result of results.slice(0, 3)) expect(result.output).toContain('pyagent config set denyPaths')
    expect(results[3]!.output).toContain('inside .git/')
    expect(results[3]!.output).not.toContain('denyPaths')
    expect(repo.git('status', '--porcelain')).toBe('')
  })
})
