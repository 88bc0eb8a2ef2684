/** A long-running `pyagent` command (a server) started as a user would, for a test to talk to. */
import {type ResultPromise, execa} from 'execa'
import {onTestFinished} from 'vitest'

import {BIN} from './cli.js'

export interface CliProcess {
  process: ResultPromise
  /** The first line it printed on stdout (where a server says where it is). */
  line: string
  /** Everything it printed so far, stdout and stderr. */
  output(): string
}

/** Starts `pyagent <args>` and waits for its first line on stdout; it is stopped (SIGTERM) when the test ends. */
export async function startCliProcess(args: string[], options: {cwd?: string; env: Record<string, string>}): Promise<CliProcess> {
  const child = execa(process.execPath, [BIN, ...args], {cwd: options.cwd, env: options.env, reject: false, stdin: 'ignore', buffer: false})
  onTestFinished(async () => {
    child.kill('SIGTERM')
    await child
  })
  let printed = ''
  const line = await new Promise<string>((resolve, reject) => {
    let seen = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      printed += chunk.toString()
      if (seen.includes('\n')) resolve(seen.split('\n')[0]!)
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      printed += chunk.toString()
      process.stderr.write(chunk)
    })
    void child.then((result) => reject(new Error(`pyagent ${args[0]} exited (${result.exitCode}) before it was ready:\n${printed}`)))
  })
  return {process: child, line, output: () => printed}
}
