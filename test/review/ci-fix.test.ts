import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {fixTask} from '../../src/app/fix.js'
import type {ReviewReport} from '../../src/review/review.js'
import {runCli} from '../support/cli.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'
import {branchyFunction, mitPackageJson} from './support.js'

let server: OpenAiTestServer
beforeAll(async () => {
  server = await startOpenAiServer()
})
afterAll(() => server.close())

const tool = (name: string, args: object) => ({type: 'completion' as const, toolCalls: [{name, arguments: JSON.stringify(args)}]})
const SIMPLE = 'export function route(x: number): number {\n  return x >= 0 && x < 20 ? x : -1\n}\n'

/** A `feature` branch that adds a function far over the complexity limit. */
function featureRepo() {
  const repo = tempRepo({'package.json': mitPackageJson(), 'src/a.ts': 'export const a = 1\n', 'test.js': ''})
  repo.write('.pyagent/config.json', JSON.stringify({actionProtocol: 'tools', testCommand: 'node test.js'}))
  repo.git('checkout', '-q', '-b', 'feature')
  repo.write('src/a.ts', `export const a = 1\n${branchyFunction('route', 20)}`)
  repo.git('commit', '-qam', 'feature')
  return repo
}

describe('pyagent ci --fix', {timeout: 60_000}, () => {
  it('runs an agent task on the findings and leaves its change as a patch file, committing nothing', async () => {
    const repo = featureRepo()
    const head = repo.git('rev-parse', 'HEAD')
    const before = server.chatRequests().length
    server.enqueue(
      tool('edit', {path: 'src/a.ts', edits: [{search: branchyFunction('route', 20), replace: SIMPLE}]}),
      tool('finish', {summary: 'route is one comparison now'}),
      {type: 'completion', text: JSON.stringify({verdict: 'approve', feedback: 'simpler'})},
    )
    const result = await runCli(['ci', '--base', 'main', '--fix', '--sarif', '', '--junit', '', '--cwd', repo.root], {
      env: {PYAGENT_BASE_URL: server.baseUrl, PYAGENT_MAX_RETRIES: '0'},
    })
    expect(result.exitCode, String(result.stderr)).toBe(0)
    const patchPath = join(repo.root, 'pyagent-fix.patch')
    expect(String(result.stdout)).toContain(`wrote ${patchPath}`)

    const task = JSON.stringify(server.chatRequests()[before]!.body.messages)
    expect(task).toContain('metrics/complexity')
    expect(task).toContain('src/a.ts')

    const patch = readFileSync(patchPath, 'utf8')
    expect(patch).toMatch(/^--- a\/src\/a\.ts$/m)
    expect(patch).toContain('+  return x >= 0 && x < 20 ? x : -1')
    expect(patch).toMatch(/^- {2}if \(x === 0\)/m)
    // The patch is exactly what happened to the working tree: it reverses cleanly.
    execFileSync('git', ['apply', '--check', '--reverse', patchPath], {cwd: repo.root})
    expect(readFileSync(join(repo.root, 'src/a.ts'), 'utf8')).toBe(`export const a = 1\n${SIMPLE}`)
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
  })

  it('gives the agent nothing to do when the review found only notes', () => {
    const report = {findings: [{ruleId: 'licence/unknown', severity: 'note', message: 'not installed', path: 'package.json'}]}
    expect(fixTask(report as unknown as ReviewReport)).toBeUndefined()
  })
})
