/** What the model is told when its JSON action is invalid (issue 16: it was the client's own error line). */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'
import {FIXTURE} from './harness.js'

let server: OpenAiTestServer
beforeAll(async () => {
  server = await startOpenAiServer()
})
afterAll(() => server.close())

describe('an invalid JSON action', {timeout: 60_000}, () => {
  it('is answered with what was wrong with it, without the client\'s "LLM … error at <url>" framing', async () => {
    const repo = tempRepo(FIXTURE)
    repo.write('.pyagent/config.json', JSON.stringify({testCommand: 'node test.js', actionProtocol: 'json', structuredRepairs: 0}))
    const before = server.chatRequests().length
    server.enqueue({type: 'completion', text: 'I will fix it now.'}, {type: 'completion', text: JSON.stringify({action: 'finish', summary: 'nothing to do'})})
    await runCli(['run', '--json', '--max-steps', '3', '--cwd', repo.root, '--task', 'fix add'], {env: {PYAGENT_BASE_URL: server.baseUrl, PYAGENT_MAX_RETRIES: '0'}})
    const second = server.chatRequests()[before + 1]
    const messages = (second?.body as {messages: {role: string; content: string}[]}).messages
    const feedback = messages.at(-1)!.content
    expect(feedback).toMatch(/^That was not a valid action: /)
    expect(feedback).not.toContain('LLM structured_output error')
    expect(feedback).not.toContain(server.baseUrl)
  })
})
