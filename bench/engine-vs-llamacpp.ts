/**
 * The embedded engine against llama.cpp's own OpenAI-compatible server (llama-cpp-python), on the
 * same GGUF, the same chat, the same threads and batch, measured in one run, alternating rounds:
 * prompt tokens/s (prompt tokens over the time to the first streamed token) and generation
 * tokens/s (the tokens after it over the time they took). Also the engine's load time.
 *
 *   python3 -m venv bench/.venv && bench/.venv/bin/pip install "llama-cpp-python[server]"
 *   npx tsx bench/engine-vs-llamacpp.ts [--rounds 5] [--threads N]
 */
import {execa} from 'execa'
import {existsSync} from 'node:fs'
import {availableParallelism, loadavg} from 'node:os'
import {parseArgs} from 'node:util'
import OpenAI from 'openai'

import {startModelServer} from '../src/app/model-server.js'
import {engineBuildPaths, engineBuildState} from '../src/engine/engine-build.js'
import {findModel} from '../src/engine/models.js'

const {values} = parseArgs({options: {rounds: {type: 'string', default: '5'}, threads: {type: 'string'}}})
const rounds = Number(values.rounds)
const threads = Number(values.threads ?? availableParallelism())
const PYTHON = 'bench/.venv/bin/python'
const CONTEXT = 4096
const BATCH = 512
const ANSWER_TOKENS = 64

if (!existsSync(PYTHON)) {
  console.error(`${PYTHON} is missing: python3 -m venv bench/.venv && bench/.venv/bin/pip install "llama-cpp-python[server]"`)
  process.exit(2)
}
const entry = await findModel()
if (!entry) {
  console.error('No model cached: run `node bin/run.js model pull` first')
  process.exit(2)
}

/** About 1,200 tokens, as an agent's first step sends: a system prompt and a file it read. */
function chat(round: number) {
  const file = Array.from({length: 60}, (_, line) => `export function f${round}_${line}(a, b) { return a * ${line} + b - ${round} }`).join('\n')
  return [
    {role: 'system' as const, content: 'You are a careful coding agent. Answer with the next action only.'},
    {role: 'user' as const, content: `Round ${round}. Here is src/math.js:\n${file}\n\nSummarise what this file does.`},
  ]
}

interface Sample {
  promptTokens: number
  promptSeconds: number
  completionTokens: number
  generationSeconds: number
}

/**
 * One streamed chat answer through an OpenAI-compatible server, timed from the client. A server
 * that sends no usage in streams (llama-cpp-python) streams one token a chunk, and its prompt is
 * the same tokens as ours (same GGUF, same template): `promptTokens` is ours for the round.
 */
async function measure(client: OpenAI, model: string, round: number, promptTokens?: number): Promise<Sample> {
  const started = performance.now()
  let first = 0
  let chunks = 0
  let usage: {prompt_tokens: number; completion_tokens: number} | undefined
  const stream = await client.chat.completions.create({
    model,
    messages: chat(round),
    max_tokens: ANSWER_TOKENS,
    temperature: 0,
    stream: true,
    stream_options: {include_usage: true},
  })
  for await (const chunk of stream) {
    if (chunk.choices[0]?.delta?.content) {
      chunks++
      first ||= performance.now()
    }
    if (chunk.usage) usage = chunk.usage
  }
  const ended = performance.now()
  const prompt = usage?.prompt_tokens ?? promptTokens
  if (!first || prompt === undefined) throw new Error('the server streamed no text, or no usage where it was needed')
  return {
    promptTokens: prompt,
    promptSeconds: (first - started) / 1000,
    completionTokens: (usage?.completion_tokens ?? chunks) - 1,
    generationSeconds: (ended - first) / 1000,
  }
}

async function startLlamaCpp(): Promise<{url: string; stop: () => void}> {
  const port = 18_000 + Math.floor(Math.random() * 1000)
  const server = execa(
    PYTHON,
    ['-m', 'llama_cpp.server', '--model', entry!.file, '--host', '127.0.0.1', '--port', String(port), '--n_ctx', String(CONTEXT), '--n_batch', String(BATCH), '--n_threads', String(threads), '--n_threads_batch', String(threads)],
    {reject: false, stdin: 'ignore', all: true, buffer: false},
  )
  const url = `http://127.0.0.1:${port}/v1`
  for (let waited = 0; waited < 60_000; waited += 250) {
    try {
      if ((await fetch(`${url}/models`)).ok) return {url, stop: () => server.kill()}
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  server.kill()
  throw new Error('llama-cpp-python server did not start within 60 s')
}

const loadAtStart = loadavg()[0]!
const loadStarted = performance.now()
// What `pyagent run` starts: the engine in a process of its own, on its default 4,096-token context.
const ours = (await startModelServer({model: entry.name, threads}))!
const loadSeconds = (performance.now() - loadStarted) / 1000
const theirs = await startLlamaCpp()
const clients = {ours: new OpenAI({baseURL: ours.url, apiKey: 'none'}), theirs: new OpenAI({baseURL: theirs.url, apiKey: 'none'})}
const samples: Record<'ours' | 'theirs', Sample[]> = {ours: [], theirs: []}
try {
  // One warm-up each, then alternate so that load on the machine falls on both alike.
  const warm = await measure(clients.ours, entry.name, -1)
  await measure(clients.theirs, entry.name, -1, warm.promptTokens)
  for (let round = 0; round < rounds; round++) {
    const sample = await measure(clients.ours, entry.name, round)
    samples.ours.push(sample)
    const peerSample = await measure(clients.theirs, entry.name, round, sample.promptTokens)
    samples.theirs.push(peerSample)
    // Each round as it ends: on a loaded machine a run may not get to the medians.
    const perSecond = (sample: Sample) => `prompt ${(sample.promptTokens / sample.promptSeconds).toFixed(0)}, generation ${(sample.completionTokens / sample.generationSeconds).toFixed(1)} tok/s`
    console.log(`round ${round + 1} (load ${loadavg()[0]!.toFixed(2)}): ours ${perSecond(sample)}; llama.cpp ${perSecond(peerSample)}`)
  }
} finally {
  theirs.stop()
  await ours.close()
}

const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)]!
const rates = (list: Sample[]) => ({
  prompt: median(list.map((sample) => sample.promptTokens / sample.promptSeconds)),
  generation: median(list.map((sample) => sample.completionTokens / sample.generationSeconds)),
  promptTokens: median(list.map((sample) => sample.promptTokens)),
})
const mine = rates(samples.ours)
const peer = rates(samples.theirs)
console.log(
  `threads ${threads}, batch ${BATCH}, ${rounds} rounds alternating, load average ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end; ` +
    `engine: ${(await engineBuildState(engineBuildPaths())).state === 'prebuilt' ? "node-llama-cpp's prebuilt binaries" : 'OpenMP source build (model pull)'}, process start and load ${loadSeconds.toFixed(2)} s`,
)
console.log(`prompt     (~${mine.promptTokens} tokens): ours ${mine.prompt.toFixed(0)} tok/s, llama.cpp ${peer.prompt.toFixed(0)} tok/s, ratio ${(mine.prompt / peer.prompt).toFixed(2)}x`)
console.log(`generation (${ANSWER_TOKENS} tokens): ours ${mine.generation.toFixed(1)} tok/s, llama.cpp ${peer.generation.toFixed(1)} tok/s, ratio ${(mine.generation / peer.generation).toFixed(2)}x`)
