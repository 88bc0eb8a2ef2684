/**
 * The fleet's one endpoint pool behind the server's /llm/v1 route (issue 20), with the scripted
 * OpenAI-compatible server of test/support standing in for vLLM:
 * 1. Overhead: rounds of CONCURRENCY streamed chats at once (one LlmClient per "worker", as each
 *    worker process holds), straight to the endpoint and through the route, the two sides
 *    alternating which goes first; the figure is the median of the rounds' wall-time ratios.
 *    Everything runs in this one process, so the route's CPU competes with the clients' and the
 *    server's: a worst case for the proxy's share.
 * 2. Spread: two endpoints whose tokens come every TOKEN_MS, WORKERS workers each holding a
 *    conversation of TURNS turns; how many requests each endpoint got, the most in flight at
 *    once on each, and the share of each conversation's turns on its first endpoint.
 * Run: `npx tsx bench/llm-pool.ts [rounds]`.
 */
import type {AddressInfo} from 'node:net'

import Fastify from 'fastify'

import {configSchema} from '../src/config/schema.js'
import {LlmClient} from '../src/llm/client.js'
import {collectChat} from '../src/llm/collect.js'
import {TokenCounter} from '../src/llm/tokens.js'
import {FleetEndpoints} from '../src/server/llm-endpoints.js'
import {registerLlmProxy} from '../src/server/llm-proxy.js'
import {type OpenAiTestServer, startOpenAiServer} from '../test/support/openai-server.js'

const ROUNDS = Number(process.argv[2] ?? 15)
const CONCURRENCY = 8
const WORKERS = 8
const TURNS = 6
const TOKEN_MS = 5
const ANSWER = Array.from({length: 60}, (_, index) => `word${index}`).join(' ')

const tokens = new TokenCounter('cl100k_base')
const worker = (baseUrl: string) =>
  new LlmClient({config: configSchema.parse({baseUrl, maxRetries: 0, requestTimeoutMs: 30_000}), env: {}, tokens, redact: false})

async function route(servers: OpenAiTestServer[]) {
  const endpoints = new FleetEndpoints({urls: servers.map((s) => s.baseUrl), failureThreshold: 3, probeIntervalMs: 10_000, scrapeIntervalMs: 60_000, apiKey: 'EMPTY'})
  const app = Fastify({forceCloseConnections: true})
  registerLlmProxy(app, endpoints)
  await app.listen({host: '127.0.0.1', port: 0})
  return {endpoints, app, baseUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/llm/v1`}
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

async function round(clients: LlmClient[]): Promise<number> {
  const started = performance.now()
  await Promise.all(clients.map((client, index) => collectChat(client.chat({messages: [{role: 'user', content: `question ${index}`}], conversationId: `c${index}`}))))
  return performance.now() - started
}

async function overhead(): Promise<void> {
  const endpoint = await startOpenAiServer({onChat: () => ({type: 'completion', text: ANSWER})})
  const proxied = await route([endpoint])
  const direct = Array.from({length: CONCURRENCY}, () => worker(endpoint.baseUrl))
  const through = Array.from({length: CONCURRENCY}, () => worker(proxied.baseUrl))
  await round(direct)
  await round(through)
  const ratios: number[] = []
  const times = {direct: [] as number[], through: [] as number[]}
  for (let index = 0; index < ROUNDS; index++) {
    const order = index % 2 === 0 ? (['direct', 'through'] as const) : (['through', 'direct'] as const)
    const measured: Record<string, number> = {}
    for (const side of order) measured[side] = await round(side === 'direct' ? direct : through)
    times.direct.push(measured.direct!)
    times.through.push(measured.through!)
    ratios.push(measured.through! / measured.direct!)
  }
  console.log(`overhead: ${CONCURRENCY} concurrent streamed chats of ${ANSWER.split(' ').length} words, ${ROUNDS} rounds`)
  console.log(`  direct ${median(times.direct).toFixed(1)} ms, through /llm/v1 ${median(times.through).toFixed(1)} ms per round (medians); median ratio ${median(ratios).toFixed(2)}x`)
  await proxied.app.close()
  await endpoint.close()
}

async function spread(): Promise<void> {
  const reply = () => ({type: 'completion' as const, text: ANSWER, tokenDelayMs: TOKEN_MS})
  const servers = [await startOpenAiServer({onChat: reply}), await startOpenAiServer({onChat: reply})]
  const proxied = await route(servers)
  const most = [0, 0]
  const sampler = setInterval(() => proxied.endpoints.view().forEach((view, index) => (most[index] = Math.max(most[index]!, view.outstanding))), 2)
  const homes = new Map<string, Set<string>>()
  await Promise.all(
    Array.from({length: WORKERS}, async (_, index) => {
      const client = worker(proxied.baseUrl)
      const conversation = `conversation-${index}`
      for (let turn = 0; turn < TURNS; turn++) await collectChat(client.chat({messages: [{role: 'user', content: `${conversation} turn ${turn}`}], conversationId: conversation}))
    }),
  )
  clearInterval(sampler)
  for (const [index, server] of servers.entries()) {
    for (const request of server.chatRequests()) {
      const conversation = /conversation-\d+/.exec(JSON.stringify(request.body.messages))![0]
      homes.set(conversation, (homes.get(conversation) ?? new Set()).add(String(index)))
    }
  }
  const requests = servers.map((server) => server.chatRequests().length)
  const sticky = [...homes.values()].filter((endpoints) => endpoints.size === 1).length
  console.log(`spread: ${WORKERS} workers, one conversation of ${TURNS} turns each, 2 endpoints at ${TOKEN_MS} ms a token`)
  console.log(`  requests per endpoint ${requests.join(' / ')}, most in flight at once ${most.join(' / ')}; conversations kept on one endpoint: ${sticky}/${homes.size}`)
  await proxied.app.close()
  for (const server of servers) await server.close()
}

await overhead()
await spread()
tokens.free()
