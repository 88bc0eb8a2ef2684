/** Issue 16: no turn runs past its token bound, and a runaway answer is cut and retried once. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'
import {FIXTURE} from './harness.js'

let server: OpenAiTestServer
beforeAll(async () => {
  server = await startOpenAiServer({maxModelLen: 16_384})
})
afterAll(() => server.close())

const env = () => ({PYAGENT_BASE_URL: server.baseUrl, PYAGENT_MAX_RETRIES: '0'})
const runaway = {type: 'completion' as const, text: 'Let me explain everything first. '.repeat(40), finishReason: 'length' as const}
const finish = {type: 'completion' as const, toolCalls: [{name: 'finish', arguments: JSON.stringify({summary: 'nothing to change'})}]}

function repo() {
  const created = tempRepo(FIXTURE)
  created.write('.pyagent/config.json', JSON.stringify({testCommand: 'true', actionProtocol: 'tools'}))
  return created
}

describe('the per-turn token bound', {timeout: 60_000}, () => {
  it('is sent with every request, sized from the context window, and a cut answer is retried once with a reminder', async () => {
    const before = server.chatRequests().length
    server.enqueue(runaway, finish)
    const result = await runCli(['run', '--json', '--max-steps', '4', '--cwd', repo().root, '--task', 'fix add'], {env: env()})
    const requests = server.chatRequests().slice(before).map((request) => request.body as {max_tokens?: number; messages: {role: string; content: string}[]})
    expect(requests.map((request) => request.max_tokens)).toEqual([4096, 4096])
    const retry = requests[1]!.messages
    expect(retry.at(-1)!.content).toContain('ran past the per-turn token limit and was cut off')
    expect(JSON.stringify(retry)).not.toContain('Let me explain everything first')
    expect(result.stdout).toContain('"status":"done"')
  })

  it('ends the run, truthfully, when the model runs away twice in a row', async () => {
    server.enqueue(runaway, runaway)
    const result = await runCli(['run', '--json', '--max-steps', '6', '--cwd', repo().root, '--task', 'fix add'], {env: env()})
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toContain('ran past the per-turn token limit twice in a row')
  })
})
