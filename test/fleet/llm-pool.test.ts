/**
 * The fleet's one endpoint pool, reached by several workers through the server's /llm/v1 route:
 * each "worker" is an LlmClient of its own, as each worker process holds, pointed at the route.
 */
import type {AddressInfo} from 'node:net'

import Fastify from 'fastify'
import {describe, expect, it, onTestFinished} from 'vitest'

import {collectChat} from '../../src/llm/collect.js'
import {FleetEndpoints} from '../../src/server/llm-endpoints.js'
import {registerLlmProxy} from '../../src/server/llm-proxy.js'
import type {OpenAiTestServer, Reply} from '../support/openai-server.js'
import {client, server} from '../llm/helpers.js'
import {waitFor} from './support.js'

const messages = [{role: 'user' as const, content: 'go'}]
const answer: Reply = {type: 'completion', text: 'done'}

async function fleetRoute(servers: OpenAiTestServer[]) {
  const endpoints = new FleetEndpoints({urls: servers.map((s) => s.baseUrl), failureThreshold: 1, probeIntervalMs: 60_000, scrapeIntervalMs: 60_000, apiKey: 'upstream-key'})
  const app = Fastify({forceCloseConnections: true})
  registerLlmProxy(app, endpoints)
  await app.listen({host: '127.0.0.1', port: 0})
  onTestFinished(() => app.close())
  const root = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/llm`
  return {endpoints, root, baseUrl: `${root}/v1`}
}

/** A worker's own client, its only endpoint the server's route. */
const worker = (baseUrl: string) => client([{baseUrl} as OpenAiTestServer], {maxRetries: 0, apiKeyEnv: 'TEST_KEY'}, {env: {TEST_KEY: 'worker-key'}})

/** The conversation's id is in its message too, so a test can tell at the endpoint whose request it was. */
const ask = (baseUrl: string, conversationId: string) => collectChat(worker(baseUrl).chat({messages: [{role: 'user', content: `go ${conversationId}`}], conversationId}))

/** A reply held until `open` is called: the request stays outstanding at its endpoint meanwhile. */
function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return {open, held: async (): Promise<Reply> => (await opened, answer)}
}

describe("the fleet's endpoint pool behind /llm/v1", {timeout: 60_000}, () => {
  it('sends each request to the endpoint with the fewest outstanding requests of all workers, not in turn', async () => {
    const [a, b] = [await server(), await server()]
    const route = await fleetRoute([a, b])
    const holdA = gate()
    a.setHandler(holdA.held)
    b.setHandler(() => answer)
    const long = ask(route.baseUrl, 'long-one')
    await waitFor('the first request to reach a', async () => (a.chatRequests().length === 1 ? true : undefined))
    // a has one request outstanding and b none, each time: five workers one after another all go to b.
    for (let index = 0; index < 5; index++) await ask(route.baseUrl, `short-${index}`)
    expect([a.chatRequests().length, b.chatRequests().length]).toEqual([1, 5])
    expect(route.endpoints.view().map((view) => view.outstanding)).toEqual([1, 0])
    holdA.open()
    await long

    // Four workers at once, both endpoints holding: two each.
    const holdBoth = gate()
    a.setHandler(holdBoth.held)
    b.setHandler(holdBoth.held)
    const four = [1, 2, 3, 4].map((index) => ask(route.baseUrl, `parallel-${index}`))
    await waitFor('four requests in flight', async () => (route.endpoints.view().reduce((sum, view) => sum + view.outstanding, 0) === 4 ? true : undefined))
    expect(route.endpoints.view().map((view) => view.outstanding)).toEqual([2, 2])
    holdBoth.open()
    expect((await Promise.all(four)).map((result) => result.text)).toEqual(['done', 'done', 'done', 'done'])
    expect(route.endpoints.view().map((view) => [view.outstanding, view.failedRequests])).toEqual([
      [0, 0],
      [0, 0],
    ])
  })

  it('keeps a conversation on one endpoint whichever worker sends it, even while that endpoint is the busier one; the server\'s key goes upstream, not the worker\'s', async () => {
    const [a, b] = [await server(), await server()]
    const route = await fleetRoute([a, b])
    const hold = gate()
    const reply = (request: {body: any}) => (JSON.stringify(request.body.messages).includes('blocker') ? hold.held() : answer)
    a.setHandler(reply)
    b.setHandler(reply)
    await ask(route.baseUrl, 'conversation-x')
    const home = a.chatRequests().length === 1 ? a : b
    const blockers = [1, 2, 3].map((index) => ask(route.baseUrl, `blocker-${index}`))
    await waitFor('three requests held', async () => (route.endpoints.view().reduce((sum, view) => sum + view.outstanding, 0) === 3 ? true : undefined))
    const busier = route.endpoints.view().reduce((most, view) => (view.outstanding > most.outstanding ? view : most))
    expect(busier.url).toBe(home.baseUrl)
    for (let turn = 0; turn < 3; turn++) await ask(route.baseUrl, 'conversation-x')
    const carrying = (s: OpenAiTestServer) => s.chatRequests().filter((request) => JSON.stringify(request.body.messages).includes('conversation-x')).length
    expect(carrying(home)).toBe(4)
    expect(carrying(home === a ? b : a)).toBe(0)
    hold.open()
    await Promise.all(blockers)
    for (const request of [...a.chatRequests(), ...b.chatRequests()]) expect(request.headers.authorization).toBe('Bearer upstream-key')
  })

  it('skips a dead endpoint: every worker is answered by the live one, and the dead one is shown down with why', async () => {
    const [a, b] = [await server(), await server()]
    const route = await fleetRoute([a, b])
    b.setHandler(() => answer)
    await a.kill()
    const results = await Promise.all([1, 2, 3, 4].map((index) => ask(route.baseUrl, `conversation-${index}`)))
    expect(results.map((result) => result.text)).toEqual(['done', 'done', 'done', 'done'])
    const [dead, live] = route.endpoints.view()
    expect(dead).toMatchObject({up: false, failedRequests: expect.any(Number)})
    expect(dead!.lastError).toMatch(/ECONNREFUSED/)
    expect(live).toMatchObject({up: true, failedRequests: 0})
    expect(b.chatRequests()).toHaveLength(4)
    expect((await fetch(`${route.root}/health`)).status).toBe(200)
  })

  it('stops the upstream request when the worker hangs up, and frees the endpoint', async () => {
    const [a] = [await server()]
    const route = await fleetRoute([a])
    a.setHandler(() => ({type: 'completion', text: 'one two three four five six seven eight nine ten', tokenDelayMs: 100}))
    const controller = new AbortController()
    const chat = worker(route.baseUrl).chat({messages, signal: controller.signal})
    for await (const event of chat) if (event.type === 'text') break
    controller.abort()
    await waitFor('the upstream stream to close early', async () => (a.chatRequests()[0]?.streamed?.closedEarly ? true : undefined), 10_000)
    await waitFor('the endpoint to be free again', async () => (route.endpoints.view()[0]!.outstanding === 0 ? true : undefined), 10_000)
    expect(route.endpoints.view()[0]).toMatchObject({up: true, failedRequests: 0})
  })

  it('forwards only the routes an OpenAI-compatible client calls', async () => {
    const route = await fleetRoute([await server()])
    const refused = await fetch(`${route.root}/v1/files`)
    expect(refused.status).toBe(404)
    expect(((await refused.json()) as {error: {message: string}}).error.message).toMatch(/not forwarded/)
    expect((await fetch(`${route.root}/../metrics`)).status).toBe(404)
    expect((await fetch(`${route.baseUrl}/models`)).status).toBe(200)
  })

  it('takes a conversation larger than the API\'s 1 MB body limit', async () => {
    const [a] = [await server({maxModelLen: 4_000_000})]
    const route = await fleetRoute([a])
    a.setHandler(() => answer)
    const long = 'x '.repeat(1_000_000)
    const result = await collectChat(worker(route.baseUrl).chat({messages: [{role: 'user', content: long}], conversationId: 'long'}))
    expect(result.text).toBe('done')
    expect(a.chatRequests()[0]!.body.messages[0].content).toHaveLength(long.length)
  })
})
