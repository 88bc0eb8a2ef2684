/**
 * Start-up cost of the CLI: wall time of `pyagent --version` and `pyagent --help`, each as a
 * ratio to bare `node -e 0` measured in the same run (median of several runs, interleaved so
 * that load on the machine hits every command alike). Run: `npx tsx bench/startup.ts [runs]`.
 */
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const runs = Number(process.argv[2] ?? 21)
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))

const commands: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  'pyagent --version': [bin, '--version'],
  'pyagent --help': [bin, '--help'],
}

function timeOnce(args: string[]): number {
  const start = process.hrtime.bigint()
  const result = spawnSync(process.execPath, args, {stdio: 'ignore'})
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`)
  return Number(process.hrtime.bigint() - start) / 1e6
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((name) => [name, []]))
for (const args of Object.values(commands)) timeOnce(args)
for (let run = 0; run < runs; run++) {
  for (const [name, args] of Object.entries(commands)) samples[name]?.push(timeOnce(args))
}

const baseline = median(samples['node -e 0'] ?? [])
console.log(`startup, median of ${runs} runs (node ${process.version})`)
for (const [name, values] of Object.entries(samples)) {
  const ms = median(values)
  console.log(`${name.padEnd(20)} ${ms.toFixed(1).padStart(7)} ms   ${(ms / baseline).toFixed(2)}x node`)
}
