import Ajv from 'ajv-draft-04'
import addFormats from 'ajv-formats'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {runCi} from '../../src/review/ci.js'
import {buildSarif} from '../../src/review/format/sarif.js'
import {runCli} from '../support/cli.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'
import {branchyFunction, DEFAULT_CONFIG, installNpmPackage, mitPackageJson} from './support.js'

const schema = JSON.parse(readFileSync(new URL('../fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object
// The schema's language-tag pattern is not valid with the `u` flag ajv uses by default.
const ajv = new Ajv({allErrors: true, strict: false, unicodeRegExp: false})
addFormats(ajv)
const validateSarif = ajv.compile(schema)

/** A repo whose `feature` branch adds a secret, a GPL dependency, a complex function and an odd file name. */
function pullRequestRepo() {
  const repo = tempRepo({'package.json': mitPackageJson(), 'src/a.ts': 'export const a = 1\n'})
  repo.git('checkout', '-q', '-b', 'feature')
  installNpmPackage(repo, 'copyleft', 'GPL-3.0-only')
  repo.write('package.json', mitPackageJson({copyleft: '1.0.0'}))
  repo.write('src/a.ts', `export const a = 1\nexport const password = "Tr0ub4dor-3xQ9v"\n${branchyFunction('route', 20)}`)
  repo.write('docs/it is & <odd>.md', 'notes\n')
  repo.git('add', 'package.json', 'src/a.ts', 'docs')
  repo.git('commit', '-q', '-m', 'feature')
  return repo
}

describe('pyagent ci', () => {
  it('writes SARIF that the official 2.1.0 schema accepts, JUnit XML and a step summary', async () => {
    const repo = pullRequestRepo()
    const out = tempDir()
    const summary = join(out, 'summary.md')
    const result = await runCi({
      repoRoot: repo.root,
      config: DEFAULT_CONFIG,
      env: {GITHUB_BASE_REF: 'main', GITHUB_STEP_SUMMARY: summary},
      sarifPath: join(out, 'review.sarif'),
      junitPath: join(out, 'junit.xml'),
      toolVersion: '0.1.0',
    })
    expect(result.base).toBe('main')
    expect(result.report.counts).toEqual({error: 2, warning: 1, note: 0})
    expect(result.report.failed).toBe(true)
    const lenient = await runCi({repoRoot: repo.root, config: DEFAULT_CONFIG, failOn: 'never', base: 'main', env: {}, toolVersion: '0.1.0'})
    expect(lenient.report.failed).toBe(false)

    const sarif = JSON.parse(readFileSync(join(out, 'review.sarif'), 'utf8'))
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors)).toBe(true)
    expect(sarif.runs[0].results.map((result: {ruleId: string; level: string}) => `${result.level} ${result.ruleId}`)).toEqual([
      'error licence/dependency',
      'error secret/added',
      'warning metrics/complexity',
    ])

    const junit = readFileSync(join(out, 'junit.xml'), 'utf8')
    expect(junit).toMatch(/<testsuites name="pyagent review" tests="7" failures="2" errors="0"/)
    expect(junit.match(/<failure /g)).toHaveLength(2)
    expect(junit).toContain('warning src/a.ts:3: route has cyclomatic complexity 21')

    expect(readFileSync(summary, 'utf8')).toContain('### PyAgent review: ❌ failed')
  })

  it('rejects SARIF that breaks the schema, so the check above can fail', () => {
    const sarif = buildSarif(
      {target: {kind: 'staged'}, filesReviewed: 0, addedLines: 0, findings: [], counts: {error: 0, warning: 0, note: 0}, failOn: 'error', llm: false, failed: false, durationMs: 0},
      '0.1.0',
    ) as unknown as {runs: {results: unknown[]}[]}
    sarif.runs[0]?.results.push({message: {text: 'x'}, level: 'fatal'})
    expect(validateSarif(sarif)).toBe(false)
  })

  it('exits per --fail-on and explains a missing base', async () => {
    const repo = pullRequestRepo()
    const out = tempDir()
    const files = ['--sarif', join(out, 'r.sarif'), '--junit', join(out, 'j.xml')]
    const failing = await runCli(['ci', '--base', 'main', ...files, '--cwd', repo.root])
    expect(failing.exitCode).toBe(1)
    expect(failing.stdout).toContain('2 errors, 1 warnings')
    expect(failing.stdout).toContain(`wrote ${join(out, 'r.sarif')}`)

    const noBase = await runCli(['ci', ...files, '--cwd', repo.root], {env: {GITHUB_BASE_REF: undefined}})
    expect(noBase.exitCode).toBe(2)
    expect(noBase.stderr).toContain('pyagent ci needs a base to compare with: pass --base <ref>')
  })
})
