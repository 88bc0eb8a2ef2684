import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {FIXTURE} from '../agent/harness.js'
import {runCli} from '../support/cli.js'
import {type Collector, collectorBinary, receivedSpans, startCollector} from '../support/collector.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'
import {checksummedToken} from '../support/tokens.js'

const tool = (name: string, args: object) => ({type: 'completion' as const, toolCalls: [{name, arguments: JSON.stringify(args)}], cachedTokens: 12})
const FIX_BOTH = [
  tool('edit', {path: 'src/add.js', edits: [{search: 'a - b', replace: 'a + b'}]}),
  tool('edit', {path: 'src/greet.js', edits: [{search: "'hi '", replace: "'hello '"}]}),
  tool('finish', {summary: 'fixed both'}),
  {type: 'completion' as const, text: JSON.stringify({verdict: 'approve', feedback: 'good'})},
]

// Built before the suite is collected (once; .ci/run builds it ahead), so a missing Go is known when tests are declared.
const binary = await collectorBinary()
let server: OpenAiTestServer
let collector: Collector | undefined

beforeAll(async () => {
  server = await startOpenAiServer()
  if (binary) collector = await startCollector(binary)
}, 60_000)
afterAll(async () => {
  await collector?.stop()
  await server.close()
})

function repoWithConfig(config: object = {}) {
  const repo = tempRepo(FIXTURE)
  repo.write('.pyagent/config.json', JSON.stringify({testCommand: 'node test.js', actionProtocol: 'tools', ...config}))
  return repo
}

const env = (extra: Record<string, string> = {}) => ({PYAGENT_BASE_URL: server.baseUrl, PYAGENT_MAX_RETRIES: '0', ...extra})

describe('OpenTelemetry export to a real collector (OTLP/HTTP)', {timeout: 120_000}, () => {
  it.skipIf(!binary)('a task is one trace: its steps, each LLM call with its tokens, the tools, the checks and the commit, and the metrics', async () => {
    const repo = repoWithConfig({prices: {'test-model': {inputPerMTok: 2, outputPerMTok: 4}}})
    server.enqueue(...FIX_BOTH)
    const task = 'Fix add and greet (trace check)'
    const result = await runCli(['run', '--json', '--task', task, '--cwd', repo.root], {env: env({OTEL_EXPORTER_OTLP_ENDPOINT: collector!.endpoint})})
    expect(result.exitCode, result.stderr).toBe(0)
    const taskId = JSON.parse(result.stdout.split('\n')[0]!).taskId as string

    const output = await collector!.waitFor((text) => text.includes(taskId) && text.includes('pyagent.task.duration'))
    const spans = receivedSpans(output).filter((span) => span.traceId === receivedSpans(output).find((s) => s.attributes['pyagent.task.id'] === taskId)?.traceId)
    const root = spans.find((span) => span.name === 'invoke_agent coder')!
    expect(root.parentId).toBe('')
    expect(root.attributes).toMatchObject({'pyagent.task.id': taskId, 'pyagent.task.status': 'done', 'pyagent.task.steps': '3', 'gen_ai.agent.name': 'coder'})
    expect(Number(root.attributes['gen_ai.usage.input_tokens'])).toBeGreaterThan(0)

    const steps = spans.filter((span) => span.name.startsWith('step '))
    expect(steps.map((span) => span.name).sort()).toEqual(['step 1', 'step 2', 'step 3'])
    for (const step of steps) expect(step.parentId).toBe(root.id)
    const stepIds = new Set(steps.map((span) => span.id))

    const chats = spans.filter((span) => span.name === 'chat test-model')
    expect(chats).toHaveLength(4)
    for (const chat of chats) {
      expect(stepIds.has(chat.parentId)).toBe(true)
      expect(chat.kind).toMatch(/Client/)
      expect(chat.attributes).toMatchObject({'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'test-model'})
      expect(Number(chat.attributes['gen_ai.usage.input_tokens'])).toBeGreaterThan(0)
      expect(Number(chat.attributes['gen_ai.usage.output_tokens'])).toBeGreaterThan(0)
      expect(Number(chat.attributes['pyagent.llm.cost_usd'])).toBeGreaterThan(0)
    }
    expect(chats.filter((chat) => chat.attributes['gen_ai.usage.cache_read.input_tokens'] === '12')).toHaveLength(3)

    const tools = spans.filter((span) => span.name.startsWith('execute_tool '))
    expect(tools.map((span) => span.name)).toEqual(['execute_tool edit', 'execute_tool edit', 'execute_tool finish'])
    for (const call of tools) {
      expect(stepIds.has(call.parentId)).toBe(true)
      expect(call.attributes['pyagent.tool.status']).toBe('ok')
    }
    const lastStep = steps.find((span) => span.name === 'step 3')!
    const checks = Object.fromEntries(spans.filter((span) => span.name.startsWith('check ')).map((span) => [span.name, span]))
    expect(checks['check tests']?.attributes).toMatchObject({'pyagent.check.name': 'node test.js', 'pyagent.check.passed': 'true'})
    expect(checks['check critic']?.attributes).toMatchObject({'pyagent.critic.verdict': 'approve'})
    const commit = spans.find((span) => span.name === 'commit')!
    expect(commit.attributes['pyagent.tx.files']).toBe('2')
    for (const span of [checks['check tests']!, checks['check critic']!, commit]) expect(span.parentId).toBe(lastStep.id)

    for (const metric of ['pyagent.task.duration', 'pyagent.step.duration', 'gen_ai.client.token.usage', 'gen_ai.client.operation.duration', 'pyagent.llm.cost', 'pyagent.edits']) {
      expect(output).toContain(`-> Name: ${metric}`)
    }
    // Content stays home unless it is asked for.
    expect(output).not.toContain(task)
    expect(output).not.toContain('a + b')
  })

  it.skipIf(!binary)('with telemetryContent on, the task text and tool arguments go on the spans, redacted', async () => {
    const repo = repoWithConfig({telemetryContent: true})
    const token = checksummedToken()
    server.enqueue(...FIX_BOTH)
    const task = `Fix add and greet; the deploy token is ${token}`
    const result = await runCli(['run', '--json', '--task', task, '--cwd', repo.root], {env: env({OTEL_EXPORTER_OTLP_ENDPOINT: collector!.endpoint})})
    expect(result.exitCode, result.stderr).toBe(0)
    const taskId = JSON.parse(result.stdout.split('\n')[0]!).taskId as string
    const output = await collector!.waitFor((text) => text.includes(taskId))
    const root = receivedSpans(output).find((span) => span.attributes['pyagent.task.id'] === taskId && span.name.startsWith('invoke_agent'))!
    expect(root.attributes['pyagent.task.text']).toContain('Fix add and greet; the deploy token is ')
    expect(output).not.toContain(token)
    expect(output).toContain('a + b')
  })

  it('a collector that is not there costs the task nothing but a notice: the spans are counted as dropped', async () => {
    const repo = repoWithConfig()
    server.enqueue(...FIX_BOTH)
    const result = await runCli(['run', '--json', '--task', 'Fix add and greet', '--cwd', repo.root], {env: env({OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9'})})
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/telemetry: \d+ span\(s\) could not be exported/)
  })
})
