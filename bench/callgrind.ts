/** Instruction counts, which the shared machine's load does not move (valgrind's callgrind). */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

interface Run {
  /** Fed on stdin. */
  input?: string
  /** Added to the environment. */
  env?: Record<string, string>
}

function callgrind(command: string, args: string[], options: string[], {input = '', env = {}}: Run): string {
  const run = spawnSync('valgrind', ['--tool=callgrind', ...options, command, ...args], {
    input,
    encoding: 'utf8',
    env: {...process.env, PYTHONHASHSEED: '0', ...env},
  })
  if (!/Collected : \d+/.test(run.stderr ?? '')) throw new Error(`valgrind did not count ${command} ${args.join(' ')}: ${run.error?.message ?? run.stderr}`)
  return run.stderr
}

/** Instructions callgrind counts for a whole process. */
export function instructions(command: string, args: string[], run: Run = {}): number {
  return Number(/Collected : (\d+)/.exec(callgrind(command, args, ['--callgrind-out-file=/dev/null'], run))?.[1])
}

/**
 * Instructions inside each call of the function named `fn` (as callgrind names it; it must not be
 * inlined), in call order: callgrind dumps its counters before and after every call.
 */
export function instructionsPerCall(command: string, args: string[], fn: string, run: Run = {}): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'pyagent-callgrind-'))
  try {
    callgrind(command, args, [`--callgrind-out-file=${join(dir, 'out')}`, `--dump-before=${fn}`, `--dump-after=${fn}`], run)
    const dumps = readdirSync(dir)
      .map((file) => ({part: Number(/^out\.(\d+)$/.exec(file)?.[1]), text: readFileSync(join(dir, file), 'utf8')}))
      .filter((dump) => Number.isInteger(dump.part))
      .sort((a, b) => a.part - b.part)
    return dumps.filter((dump) => dump.text.includes('Trigger: --dump-after')).map((dump) => Number(/^totals: (\d+)/m.exec(dump.text)?.[1]))
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
