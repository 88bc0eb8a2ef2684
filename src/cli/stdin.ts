/** The task text of `run` and `submit`: --task, else all of stdin (trimmed), else a clear refusal. */
import {Errors} from '@oclif/core'

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return ''
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8').trim()
}

export async function taskText(given: string | undefined): Promise<string> {
  const text = given ?? (await readStdin())
  if (!text.trim()) throw new Errors.CLIError('Give the task with --task "…" or on stdin.', {exit: 1})
  return text
}
