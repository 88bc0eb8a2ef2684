/** Instruction counts, which the shared machine's load does not move (valgrind's callgrind). */
import {spawnSync} from 'node:child_process'

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
