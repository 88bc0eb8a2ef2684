/** The few git plumbing calls the review needs, run without a shell and with a clear error. */
import {execa} from 'execa'

export class GitError extends Error {
  override readonly name = 'GitError'
}

export async function git(cwd: string, args: string[], options: {input?: string} = {}): Promise<string> {
  const result = await execa('git', args, {cwd, reject: false, input: options.input, stripFinalNewline: false})
  if (result.exitCode !== 0) {
    const reason = (result.stderr || result.stdout).trim().split('\n')[0] ?? ''
    throw new GitError(`git ${args.join(' ')} failed in ${cwd}: ${reason || `exit ${result.exitCode}`}`)
  }
  return result.stdout
}

export async function gitLine(cwd: string, args: string[]): Promise<string> {
  return (await git(cwd, args)).trim()
}
