/** Runs the built CLI (bin/run.js → dist/) as a user would, without a shell. */
import {execa, type Result} from 'execa'
import {fileURLToPath} from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

export function runCli(args: string[], options: {cwd?: string; env?: Record<string, string | undefined>} = {}): Promise<Result> {
  return execa(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: {XDG_CONFIG_HOME: '/nonexistent-pyagent-test', ...options.env},
    reject: false,
    stdin: 'ignore',
  })
}
