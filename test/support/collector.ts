/**
 * A real OpenTelemetry Collector for the telemetry tests: test/support/otelcol built once (cached
 * in .cache/otelcol/), started on a free loopback port with the otlp receiver (HTTP) and the
 * debug exporter writing every span and metric in detail to a file, and stopped by the test.
 * Without Go the tests skip locally and fail in CI, where .ci/run builds it.
 */
import {execa, type ResultPromise} from 'execa'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {freePort} from './free-port.js'

const BUILD = fileURLToPath(new URL('./otelcol/build', import.meta.url))

/** The collector's path, built when missing; undefined when Go is not installed here. */
export async function collectorBinary(): Promise<string | undefined> {
  const go = await execa('go', ['version'], {reject: false})
  if (go.exitCode !== 0) {
    if (process.env.CI) throw new Error('the telemetry tests need Go to build the OpenTelemetry Collector (test/support/otelcol); .ci/run should have installed it')
    return undefined
  }
  const built = await execa(BUILD, {reject: false, timeout: 15 * 60_000})
  if (built.exitCode !== 0) throw new Error(`building the OpenTelemetry Collector failed:\n${built.stderr}`)
  return built.stdout.trim()
}


export interface Collector {
  /** OTEL_EXPORTER_OTLP_ENDPOINT for it: http://127.0.0.1:<port> */
  endpoint: string
  /** What the debug exporter has written so far. */
  output(): string
  /** Waits until `ready` holds for the output, or throws after `timeoutMs`. */
  waitFor(ready: (output: string) => boolean, timeoutMs?: number): Promise<string>
  stop(): Promise<void>
}

export async function startCollector(binary: string): Promise<Collector> {
  const dir = mkdtempSync(join(tmpdir(), 'pyagent-otelcol-'))
  const port = await freePort()
  const received = join(dir, 'received.txt')
  const config = join(dir, 'config.yaml')
  writeFileSync(
    config,
    [
      'receivers:',
      '  otlp:',
      '    protocols:',
      `      http: {endpoint: "127.0.0.1:${port}"}`,
      'exporters:',
      '  debug:',
      '    verbosity: detailed',
      '    use_internal_logger: false',
      `    output_paths: ["${received}"]`,
      'service:',
      '  telemetry: {metrics: {level: none}}',
      '  pipelines:',
      '    traces: {receivers: [otlp], exporters: [debug]}',
      '    metrics: {receivers: [otlp], exporters: [debug]}',
      '',
    ].join('\n'),
  )
  const child: ResultPromise = execa(binary, ['--config', `file:${config}`], {reject: false, all: true, buffer: true})
  let log = ''
  child.all?.on('data', (chunk: Buffer) => (log += chunk.toString()))
  const output = () => (existsSync(received) ? readFileSync(received, 'utf8') : '')
  const waitUntil = async (ready: () => boolean, timeoutMs: number, what: string) => {
    const deadline = Date.now() + timeoutMs
    while (!ready()) {
      if (child.exitCode !== null) throw new Error(`the collector exited:\n${log}`)
      if (Date.now() > deadline) throw new Error(`the collector: no ${what} within ${timeoutMs} ms:\n${log}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  await waitUntil(() => log.includes('Everything is ready'), 30_000, 'start')
  return {
    endpoint: `http://127.0.0.1:${port}`,
    output,
    async waitFor(ready, timeoutMs = 15_000) {
      await waitUntil(() => ready(output()), timeoutMs, 'expected output')
      return output()
    },
    async stop() {
      child.kill('SIGTERM')
      await child
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

export interface ReceivedSpan {
  traceId: string
  parentId: string
  id: string
  name: string
  kind: string
  status: string
  attributes: Record<string, string>
  /** Epoch nanoseconds, as the debug exporter prints the span's start and end. */
  start: bigint
  end: bigint
}

/** `2026-12-05 19:30:00.123456789 +0000 UTC` → epoch nanoseconds. */
function nanoseconds(printed: string): bigint {
  const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))? \+0000 UTC$/.exec(printed)
  if (!match) return 0n
  return BigInt(Date.parse(`${match[1]}T${match[2]}Z`)) * 1_000_000n + BigInt((match[3] ?? '').padEnd(9, '0').slice(0, 9))
}

/** The spans in the debug exporter's detailed text, attribute values as it prints them (Str(x) → x, Int(3) → 3). */
export function receivedSpans(output: string): ReceivedSpan[] {
  return output
    .split(/^Span #\d+$/m)
    .slice(1)
    .map((block) => {
      const field = (name: string) => new RegExp(`^\\s*${name}\\s*: ?(.*)$`, 'm').exec(block)?.[1]?.trim() ?? ''
      const attributes: Record<string, string> = {}
      const section = block.split(/^Attributes:$/m)[1]?.split(/^(?:Events|Links|ScopeSpans|ResourceSpans|Span) /m)[0] ?? ''
      for (const match of section.matchAll(/^\s*-> ([\w.]+): \w+\((.*)\)$/gm)) attributes[match[1]!] = match[2]!
      return {
        traceId: field('Trace ID'),
        parentId: field('Parent ID'),
        id: field('ID'),
        name: field('Name'),
        kind: field('Kind'),
        status: field('Status code'),
        attributes,
        start: nanoseconds(field('Start time')),
        end: nanoseconds(field('End time')),
      }
    })
}
