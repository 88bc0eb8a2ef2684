/**
 * Cost of `pyagent review --staged` on a typical 200-line staged change (TypeScript, Python,
 * a dependency added to package.json, docs), without --llm. Prints the in-process review time
 * as a ratio to `git diff --cached` (the floor: the review runs it and more), and the whole
 * CLI's wall time as a ratio to `node -e 0` and to `pyagent --help` (oclif's own start-up).
 * Target (issue 9): under 300 ms, for the command the hook runs. Run: `npx tsx bench/review.ts [runs]`.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {configSchema} from '../src/config/schema.js'
import {runReview} from '../src/review/review.js'

const runs = Number(process.argv[2] ?? 15)
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'pyagent-bench-review-'))

function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), {recursive: true})
  writeFileSync(join(root, path), text)
}

function git(...args: string[]): void {
  execFileSync('git', args, {cwd: root, stdio: 'ignore'})
}

function tsModule(functions: number, variant: number): string {
  return Array.from(
    {length: functions},
    (_, index) =>
      `export function handler${index}(input: {kind: string; count: number}): number {\n` +
      `  if (input.kind === 'a${variant}' && input.count > ${index}) return ${index}\n` +
      `  for (let i = 0; i < input.count; i++) {\n    if (i % ${index + 2} === 0) continue\n  }\n` +
      `  return input.count ?? ${variant}\n}\n`,
  ).join('\n')
}

function pyModule(functions: number, variant: number): string {
  return Array.from(
    {length: functions},
    (_, index) => `def task_${index}(items, limit=${variant}):\n    total = [x for x in items if x > ${index}]\n    if len(total) > limit or not items:\n        return None\n    return sum(total)\n`,
  ).join('\n')
}

function packageJson(dependencies: Record<string, string>): string {
  return `${JSON.stringify({name: 'bench', license: 'MIT', dependencies}, null, 2)}\n`
}

git('init', '-q', '-b', 'main')
git('config', 'user.email', 'bench@example.com')
git('config', 'user.name', 'bench')
write('src/service.ts', tsModule(40, 0))
write('app/tasks.py', pyModule(40, 0))
write('package.json', packageJson({'left-pad': '1.3.0'}))
write('README.md', '# bench\n')
write('node_modules/tiny-lib/package.json', JSON.stringify({name: 'tiny-lib', license: 'ISC'}))
git('add', 'src', 'app', 'package.json', 'README.md')
git('commit', '-q', '-m', 'base')

// ~200 added lines: 10 new TS functions (70) and 12 new Python functions (72) in existing files,
// a new TS file (50), a dependency and a docs paragraph.
write('src/service.ts', `${tsModule(40, 0)}\n${tsModule(10, 1).replaceAll('handler', 'extra')}`)
write('app/tasks.py', `${pyModule(40, 0)}\n${pyModule(12, 1).replaceAll('task_', 'job_')}`)
write('src/new.ts', tsModule(7, 2))
write('package.json', packageJson({'left-pad': '1.3.0', 'tiny-lib': '2.0.0'}))
write('README.md', '# bench\n\nHow to run the benchmark.\n')
git('add', '-A', 'src', 'app', 'package.json', 'README.md')

const config = configSchema.parse({})

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

async function time(fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}

const spawnOk = (args: string[], cwd = root) => {
  const result = spawnSync(args[0] ?? '', args.slice(1), {cwd, stdio: 'ignore'})
  if (result.status !== 0 && !args.includes('review')) throw new Error(`${args.join(' ')} exited ${result.status}`)
}

const peers: Record<string, () => unknown> = {
  'git diff --cached': () => spawnOk(['git', 'diff', '--cached', '--unified=0']),
  'review (in-process)': () => runReview({repoRoot: root, target: {kind: 'staged'}, config}),
  'node -e 0': () => spawnOk([process.execPath, '-e', '0']),
  'pyagent --help': () => spawnOk([process.execPath, bin, '--help']),
  // Exactly what the hook runs, from the repository (bin/run.js answers it without oclif) ...
  'pyagent review --staged': () => spawnOk([process.execPath, bin, 'review', '--staged']),
  // ... and the same review through the oclif command, which any other flag takes.
  'review --staged --cwd': () => spawnOk([process.execPath, bin, 'review', '--staged', '--cwd', root], process.cwd()),
}

const report = await runReview({repoRoot: root, target: {kind: 'staged'}, config})
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(peers).map((name) => [name, []]))
for (const fn of Object.values(peers)) await fn()
for (let run = 0; run < runs; run++) {
  for (const [name, fn] of Object.entries(peers)) samples[name]?.push(await time(fn))
}
rmSync(root, {recursive: true, force: true})

const ms = (name: string) => median(samples[name] ?? [])
console.log(`review of a staged change: ${report.filesReviewed} files, ${report.addedLines} added lines, ${report.findings.length} findings; median of ${runs} runs (node ${process.version})`)
console.log(`${'review (in-process)'.padEnd(24)} ${ms('review (in-process)').toFixed(1).padStart(7)} ms   ${(ms('review (in-process)') / ms('git diff --cached')).toFixed(2)}x git diff --cached`)
console.log(`${'git diff --cached'.padEnd(24)} ${ms('git diff --cached').toFixed(1).padStart(7)} ms`)
for (const name of ['node -e 0', 'pyagent --help', 'pyagent review --staged', 'review --staged --cwd']) {
  console.log(`${name.padEnd(24)} ${ms(name).toFixed(1).padStart(7)} ms   ${(ms(name) / ms('node -e 0')).toFixed(2)}x node   ${(ms(name) / ms('pyagent --help')).toFixed(2)}x --help`)
}
