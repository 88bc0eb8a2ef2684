/**
 * The few git plumbing calls the review needs, run without a shell and with a clear error.
 * Uses node:child_process directly: the pre-commit hook pays for every import, and execa's
 * load time alone is a sizeable share of the hook's budget.
 */
import {spawn} from 'node:child_process'

import {PyAgentError} from '../errors.js'

export class GitError extends PyAgentError {
  override readonly name = 'GitError'
  constructor(message: string) {
    super('E_GIT', message)
  }
}

export function gitBytes(cwd: string, args: string[], input?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // spawn would throw a TypeError about args[n]; say which argument git could not be given.
    const withNul = args.find((arg) => arg.includes('\0'))
    if (withNul !== undefined) return reject(new GitError(`git ${args[0]}: the argument ${JSON.stringify(withNul)} holds a NUL byte, which no argument (and no file name or ref) can`))
    const child = spawn('git', args, {cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']})
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.on('error', (error) => reject(new GitError(`git could not be started in ${cwd}: ${error.message}; is git installed?`)))
    child.on('close', (code) => {
      if (code === 0) return resolve(Buffer.concat(stdout))
      const reason = Buffer.concat(stderr).toString('utf8').trim().split('\n')[0] ?? ''
      reject(new GitError(`git ${args.join(' ')} failed in ${cwd}: ${reason || `exit ${code}`}`))
    })
    // git may exit (on a bad spec) before reading all of its input; the exit code tells why.
    child.stdin?.on('error', () => undefined)
    child.stdin?.end(input)
  })
}

export async function git(cwd: string, args: string[]): Promise<string> {
  return (await gitBytes(cwd, args)).toString('utf8')
}

export async function gitLine(cwd: string, args: string[]): Promise<string> {
  return (await git(cwd, args)).trim()
}
