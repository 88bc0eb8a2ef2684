/**
 * Issue 16: `auto` settles how to talk to a server that is not vLLM, on the first turn, and says
 * so in an event: tools without streaming when a streamed request brings nothing (llama.cpp's
 * server), JSON actions when tools are answered with prose or with arguments that are not JSON.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {type OpenAiTestServer, type Reply, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'
import {FIXTURE} from './harness.js'

let server: OpenAiTestServer
beforeAll(async () => {
  server = await startOpenAiServer({ownedBy: 'library'})
})
afterAll(() => server.close())

const finishCall: Reply = {type: 'completion', toolCalls: [{name: 'finish', arguments: JSON.stringify({summary: 'nothing to change'})}]}
const finishJson: Reply = {type: 'completion', text: JSON.stringify({tool: 'finish', arguments: {summary: 'nothing to change'}})}

async function run(replies: Reply[], on = server, repo = tempRepo(FIXTURE)) {
  repo.write('.pyagent/config.json', JSON.stringify({testCommand: 'true'}))
  const before = on.chatRequests().length
  on.enqueue(...replies)
  const result = await runCli(['run', '--json', '--max-steps', '3', '--cwd', repo.root, '--task', 'fix add'], {
    env: {PYAGENT_BASE_URL: on.baseUrl, PYAGENT_MAX_RETRIES: '0'},
  })
  const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as {type: string; protocol?: string; reason?: string; status?: string})
  return {events, requests: on.chatRequests().slice(before).map((request) => request.body as Record<string, unknown>)}
}

describe('actionProtocol auto against a server that is not vLLM', {timeout: 60_000}, () => {
  it('starts with JSON actions under a json_object schema on llama.cpp\'s server, which leaves tool-call arguments unconstrained', async () => {
    const llamaCpp = await startOpenAiServer({profile: 'llama.cpp'})
    try {
      const {events, requests} = await run([finishJson], llamaCpp)
      expect(events.find((event) => event.type === 'protocol')).toMatchObject({protocol: 'json', reason: expect.stringContaining('does not constrain tool-call arguments')})
      expect(requests).toHaveLength(1)
      expect(requests[0]).not.toHaveProperty('tools')
      expect(requests[0]).toMatchObject({response_format: {type: 'json_object', schema: expect.objectContaining({oneOf: expect.any(Array)})}})
      expect(events.at(-1)).toMatchObject({type: 'task_finished', status: 'done'})
    } finally {
      llamaCpp.close()
    }
  })

  it('asks again without streaming when a streamed request with tools brings an empty stream', async () => {
    const {events, requests} = await run([{type: 'completion', text: '', fault: {kind: 'no-finish'}}, finishCall])
    expect(requests.map((request) => [request.stream ?? false, Boolean(request.tools)])).toEqual([
      [true, true],
      [false, true],
    ])
    expect(events.find((event) => event.type === 'protocol')).toMatchObject({protocol: 'tools', reason: expect.stringContaining('asking without streaming')})
    expect(events.at(-1)).toMatchObject({type: 'task_finished', status: 'done'})
  })

  it('switches to JSON actions, under the schema form the server honours, when tools are answered with prose', async () => {
    const {events, requests} = await run([{type: 'completion', text: 'Sure! I would start by reading the file.'}, finishJson])
    expect(events.find((event) => event.type === 'protocol')).toMatchObject({protocol: 'json', reason: expect.stringContaining('answered the tools with prose')})
    expect(requests[1]).not.toHaveProperty('tools')
    expect(requests[1]).toMatchObject({response_format: {type: 'json_schema', json_schema: {schema: expect.objectContaining({oneOf: expect.any(Array)})}}})
    expect(events.at(-1)).toMatchObject({type: 'task_finished', status: 'done'})
  })

  it('switches to JSON actions when a tool call\'s arguments are not JSON', async () => {
    const {events} = await run([{type: 'completion', toolCalls: [{name: 'read_file', arguments: '{"path": "src/add.js\u0001'}]}, finishJson])
    expect(events.find((event) => event.type === 'protocol')).toMatchObject({protocol: 'json', reason: expect.stringContaining('arguments that are not JSON')})
    expect(events.filter((event) => event.type === 'tool_call')).toHaveLength(1)
    expect(events.at(-1)).toMatchObject({type: 'task_finished', status: 'done'})
  })

  it('remembers that a server streams no tool calls, so the next run asks without streaming at once', async () => {
    // llama.cpp's server behind a proxy that hides who it is.
    const proxied = await startOpenAiServer({profile: 'llama.cpp', ownedBy: 'openai'})
    try {
      const repo = tempRepo(FIXTURE)
      const first = await run([finishCall], proxied, repo)
      expect(first.requests.map((request) => request.stream ?? false)).toEqual([true, false])
      const second = await run([finishCall], proxied, repo)
      expect(second.requests.map((request) => request.stream ?? false)).toEqual([false])
      expect(second.events.find((event) => event.type === 'protocol')).toMatchObject({protocol: 'tools', reason: expect.stringContaining('an earlier run found')})
      expect(second.events.at(-1)).toMatchObject({type: 'task_finished', status: 'done'})
      const doctor = await runCli(['doctor', '--json'], {cwd: repo.root, env: {PYAGENT_BASE_URL: proxied.baseUrl}})
      const checks = (JSON.parse(doctor.stdout) as {checks: {name: string; detail: string}[]}).checks
      expect(checks.find((check) => check.name === 'capabilities')?.detail).toContain('earlier runs here found: tool calls asked without streaming')
    } finally {
      proxied.close()
    }
  })
})
