/**
 * LLM client overhead, as ratios measured in one run:
 * - CPU time of our LlmClient.chat() against the bare openai client reading the same 10k-token
 *   stream from the test server (in its own process, so it doesn't share our event loop): rounds
 *   alternate between the two, and the headline is the median of each round's paired ratio;
 * - local token counting throughput (MB/s) on a 1 MB source file, TokenCounter against raw tiktoken.
 * Run: npx tsx bench/llm.ts
 */
import {get_encoding} from '@dqbd/tiktoken'
import {fork} from 'node:child_process'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import OpenAI from 'openai'

import {configSchema} from '../src/config/schema.js'
import {LlmClient} from '../src/llm/client.js'
import {TokenCounter} from '../src/llm/tokens.js'
import {startOpenAiServer} from '../test/support/openai-server.js'

const TOKENS = 10_000
const ROUNDS = 41
const SELF = fileURLToPath(import.meta.url)

type Consumer = 'bare' | 'ours'

if (process.argv.includes('--serve')) {
  const server = await startOpenAiServer({maxModelLen: 32768})
  const text = 'tok '.repeat(TOKENS)
  server.setHandler(() => ({type: 'completion', text}))
  process.send!({baseUrl: server.baseUrl})
} else {
  await main()
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.round(q * (sorted.length - 1))]!
}

async function startServerProcess(): Promise<{baseUrl: string; stop: () => void}> {
  const child = fork(SELF, ['--serve'], {execArgv: ['--import', 'tsx'], stdio: 'inherit'})
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve((message as {baseUrl: string}).baseUrl))
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)))
  })
  return {baseUrl, stop: () => child.kill()}
}

/** CPU time of this process (the server runs in another), which other agents' load disturbs far less than wall time. */
function cpuMs(since?: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1000
}

/** Each consumer reads the whole stream and checks it got every character. */
function consumers(baseUrl: string): Record<Consumer, () => Promise<void>> & {close(): void} {
  const bare = new OpenAI({baseURL: baseUrl, apiKey: 'EMPTY', maxRetries: 0})
  const llm = new LlmClient({config: configSchema.parse({baseUrl}), env: {}})
  return {
    async bare() {
      const stream = await bare.chat.completions.create({
        model: 'test-model',
        messages: [{role: 'user', content: 'go'}],
        stream: true,
        stream_options: {include_usage: true},
      })
      let chars = 0
      for await (const chunk of stream) chars += chunk.choices[0]?.delta.content?.length ?? 0
      if (chars !== TOKENS * 4) throw new Error(`bare client read ${chars} characters`)
    },
    async ours() {
      let chars = 0
      for await (const event of llm.chat({messages: [{role: 'user', content: 'go'}]})) {
        if (event.type === 'text') chars += event.delta.length
      }
      if (chars !== TOKENS * 4) throw new Error(`LlmClient read ${chars} characters`)
    },
    close: () => llm.close(),
  }
}

async function cpuOf(consume: () => Promise<void>): Promise<number> {
  const started = process.cpuUsage()
  await consume()
  return cpuMs(started)
}

function sourceMegabyte(): string {
  const files: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (/\.(m?js|ts)$/.test(name) && !name.endsWith('.d.ts')) files.push(path)
    }
  }
  walk(fileURLToPath(new URL('../node_modules/openai/', import.meta.url)))
  let text = ''
  for (const file of files) {
    if (text.length >= 1 << 20) break
    text += readFileSync(file, 'utf8')
  }
  return text.slice(0, 1 << 20)
}

function throughput(count: (text: string) => number, text: string): number {
  const times: number[] = []
  for (let round = 0; round < 5; round++) {
    const started = performance.now()
    count(text)
    times.push(performance.now() - started)
  }
  return Buffer.byteLength(text) / 1e6 / (median(times) / 1000)
}

async function main(): Promise<void> {
  const server = await startServerProcess()
  try {
    const consume = consumers(server.baseUrl)
    for (let round = 0; round < 3; round++) {
      await consume.bare()
      await consume.ours()
    }
    const bareTimes: number[] = []
    const ourTimes: number[] = []
    const paired: number[] = []
    // Alternate which goes first, so neither always pays for the other's garbage.
    for (let round = 0; round < ROUNDS; round++) {
      const order: Consumer[] = round % 2 === 0 ? ['bare', 'ours'] : ['ours', 'bare']
      const times: Partial<Record<Consumer, number>> = {}
      for (const kind of order) times[kind] = await cpuOf(consume[kind])
      bareTimes.push(times.bare!)
      ourTimes.push(times.ours!)
      paired.push(times.ours! / times.bare!)
    }
    consume.close()
    const perToken = (ms: number) => ((ms * 1000) / TOKENS).toFixed(2)

    const text = sourceMegabyte()
    const counter = new TokenCounter('cl100k_base')
    const raw = get_encoding('cl100k_base')
    const oursMBs = throughput((t) => counter.count(t), text)
    const rawMBs = throughput((t) => raw.encode(t).length, text)
    counter.free()
    raw.free()

    console.log(
      `LLM client bench: ${TOKENS} streamed tokens, ${ROUNDS} alternating rounds; ${(Buffer.byteLength(text) / 1e6).toFixed(2)} MB source; ratio = ours / peer, lower is better`,
    )
    const rows = [
      {
        measure: 'CPU µs per streamed token (median)',
        ours: perToken(median(ourTimes)),
        peer: perToken(median(bareTimes)),
        ratio: `${median(paired).toFixed(3)} (paired rounds; quartiles ${quantile(paired, 0.25).toFixed(3)}–${quantile(paired, 0.75).toFixed(3)})`,
        peerName: 'bare openai client',
      },
    ]
    rows.push({measure: 'token counting MB/s', ours: oursMBs.toFixed(2), peer: rawMBs.toFixed(2), ratio: (rawMBs / oursMBs).toFixed(2), peerName: 'raw tiktoken encode()'})
    console.table(rows)
  } finally {
    server.stop()
  }
}
