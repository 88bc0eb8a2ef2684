import {describe, expect, it, onTestFinished} from 'vitest'

import {configSchema} from '../../src/config/schema.js'
import {LlmClient} from '../../src/llm/client.js'
import {runReview} from '../../src/review/review.js'
import {runCli} from '../support/cli.js'
import {startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'
import {DEFAULT_CONFIG, PLANTED_TOKEN} from './support.js'


describe('review --llm', () => {
  it('sends the diff without secrets, constrained to the findings schema, and keeps comments on changed files only', async () => {
    const server = await startOpenAiServer()
    onTestFinished(() => server.close())
    server.enqueue({
      type: 'completion',
      text: JSON.stringify({
        findings: [
          {path: 'src/div.ts', line: 2, severity: 'error', message: 'Division by zero when b is 0; guard it.'},
          {path: 'src/div.ts', line: 999, severity: 'note', message: 'Consider a doc comment.'},
          {path: 'src/elsewhere.ts', line: 1, severity: 'warning', message: 'A file the change does not touch.'},
        ],
      }),
    })
    const client = new LlmClient({config: configSchema.parse({baseUrl: server.baseUrl, requestTimeoutMs: 5_000}), env: {}})
    onTestFinished(() => client.close())

    const repo = tempRepo({'src/div.ts': 'export const x = 1\n'})
    repo.write('src/div.ts', `export const x = 1\nexport const div = (a: number, b: number) => a / b\nconst token = "${PLANTED_TOKEN}"\n`)
    repo.git('add', 'src/div.ts')
    const report = await runReview({repoRoot: repo.root, target: {kind: 'staged'}, config: DEFAULT_CONFIG, llm: client})

    expect(report.findings.filter((finding) => finding.ruleId === 'llm/review')).toEqual([
      {ruleId: 'llm/review', severity: 'error', path: 'src/div.ts', line: 2, message: 'Division by zero when b is 0; guard it.'},
      {ruleId: 'llm/review', severity: 'note', path: 'src/div.ts', message: 'Consider a doc comment.'},
    ])
    const body = server.chatRequests()[0]?.body
    const prompt = JSON.stringify(body.messages)
    expect(prompt).toContain('+export const div = (a: number, b: number) => a / b')
    expect(prompt).toContain('[line withheld by pyagent: looks like a secret (github-pat)]')
    expect(prompt).not.toContain(PLANTED_TOKEN)
    expect(body.structured_outputs.json).toMatchObject({type: 'object', required: ['findings']})
  })

  it('runs from the CLI with --llm against the configured endpoint', async () => {
    const server = await startOpenAiServer()
    onTestFinished(() => server.close())
    server.enqueue({type: 'completion', text: JSON.stringify({findings: [{path: 'a.py', line: 1, severity: 'warning', message: 'Name the magic number.'}]})})
    const repo = tempRepo({})
    repo.write('a.py', 'x = 42\n')
    repo.git('add', 'a.py')

    const result = await runCli(['review', '--llm', '--cwd', repo.root], {env: {PYAGENT_BASE_URL: server.baseUrl}})
    expect(result.stdout).toContain('a.py:1  Name the magic number.  [llm/review]')
    expect(result.exitCode).toBe(0)
  })

  it('reports the static review in the asked format when the LLM step fails, its failure one warning (issue 16)', async () => {
    const server = await startOpenAiServer()
    onTestFinished(() => server.close())
    server.setHandler(() => ({type: 'error', status: 400, message: 'tool_choice is not supported by this server'}))
    const repo = tempRepo({})
    repo.write('a.py', `x = 42\ntoken = "${PLANTED_TOKEN}"\n`)
    repo.git('add', 'a.py')

    const result = await runCli(['review', '--llm', '--format', 'json', '--cwd', repo.root], {env: {PYAGENT_BASE_URL: server.baseUrl, PYAGENT_MAX_RETRIES: '0'}})
    const report = JSON.parse(result.stdout) as {findings: {ruleId: string; severity: string; message: string}[]}
    expect(report.findings.map((finding) => finding.ruleId).sort()).toEqual(['llm/unavailable', 'secret/added'])
    expect(report.findings.find((finding) => finding.ruleId === 'llm/unavailable')).toMatchObject({
      severity: 'warning',
      message: expect.stringContaining('tool_choice is not supported by this server'),
    })
    expect(result.exitCode).toBe(1)
  })
})
