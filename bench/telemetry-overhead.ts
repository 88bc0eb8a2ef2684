/**
 * What tracing costs a task: `pyagent run` on the scripted model (test/support's OpenAI-compatible
 * server: two edits, finish, the repository's tests, the critic, the commit), with telemetry off
 * and with it exporting every span and metric over OTLP/HTTP to a real OpenTelemetry Collector
 * (test/support/otelcol, built once), in pairs run back to back (which side goes first alternates).
 * The figures are the ratio of median wall times and the median of the pairs' ratios, the whole
 * process included (loading the SDK, the final flush); pairing keeps a busy machine's drift out of it.
 * Run: `npx tsx bench/telemetry-overhead.ts [runs per side]` after `npm run build`.
 */
import {execa} from 'execa'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {BIN} from '../test/support/cli.js'
import {collectorBinary, receivedSpans, startCollector} from '../test/support/collector.js'
import {startOpenAiServer} from '../test/support/openai-server.js'

const RUNS = Number(process.argv[2] ?? 21)

const FILES: Record<string, string> = {
  'src/add.js': 'export function add(a, b) {\n  return a - b\n}\n',
  'src/greet.js': "export function greet(name) {\n  return 'hi ' + name\n}\n",
  'test.js': "import {add} from './src/add.js'\nimport {greet} from './src/greet.js'\nif (add(2, 3) !== 5 || greet('bo') !== 'hello bo') process.exit(1)\n",
  'package.json': '{"type": "module"}\n',
  '.pyagent/config.json': JSON.stringify({testCommand: 'node test.js', actionProtocol: 'tools'}),
}

const tool = (name: string, args: object) => ({type: 'completion' as const, toolCalls: [{name, arguments: JSON.stringify(args)}]})
const SCRIPT = [
  tool('edit', {path: 'src/add.js', edits: [{search: 'a - b', replace: 'a + b'}]}),
  tool('edit', {path: 'src/greet.js', edits: [{search: "'hi '", replace: "'hello '"}]}),
  tool('finish', {summary: 'fixed both'}),
  {type: 'completion' as const, text: JSON.stringify({verdict: 'approve', feedback: 'good'})},
]

async function freshRepo(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'pyagent-bench-otel-'))
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(root, path)), {recursive: true})
    writeFileSync(join(root, path), text)
  }
  await execa('git', ['init', '-q'], {cwd: root})
  await execa('git', ['add', '-A', ':!.pyagent'], {cwd: root})
  await execa('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-qm', 'fixture'], {cwd: root})
  return root
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

const binary = await collectorBinary()
if (!binary) throw new Error('this benchmark needs Go, to build the OpenTelemetry Collector (test/support/otelcol)')
const collector = await startCollector(binary)
const server = await startOpenAiServer()
const times = {off: [] as number[], on: [] as number[]}
try {
  for (let run = 0; run < RUNS; run++) {
    for (const side of run % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      const root = await freshRepo()
      server.enqueue(...SCRIPT)
      const env = {
        XDG_CONFIG_HOME: '/nonexistent-pyagent-bench',
        PYAGENT_BASE_URL: server.baseUrl,
        PYAGENT_MAX_RETRIES: '0',
        ...(side === 'on' ? {OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint} : {}),
      }
      const started = performance.now()
      const result = await execa(process.execPath, [BIN, 'run', '--json', '--task', 'Fix add and greet', '--cwd', root], {env, reject: false, stdin: 'ignore'})
      times[side].push(performance.now() - started)
      if (result.exitCode !== 0) throw new Error(`run ${run} (${side}) exited ${result.exitCode}: ${result.stderr}`)
      rmSync(root, {recursive: true, force: true})
    }
  }
  const spans = receivedSpans(collector.output())
  const off = median(times.off)
  const on = median(times.on)
  console.log(`runs per side: ${RUNS}; spans the collector received: ${spans.length} (${(spans.length / RUNS).toFixed(0)} per task)`)
  console.log(`| telemetry | median wall time | ratio |`)
  console.log(`| --- | --- | --- |`)
  console.log(`| off | ${off.toFixed(0)} ms | 1.000x |`)
  console.log(`| on, OTLP/HTTP to the collector | ${on.toFixed(0)} ms | ${(on / off).toFixed(3)}x |`)
  const pairs = times.on.map((time, index) => time / times.off[index]!)
  console.log(`median of the ${RUNS} pairs' ratios (on/off): ${median(pairs).toFixed(3)}x`)
} finally {
  await server.close()
  await collector.stop()
}
