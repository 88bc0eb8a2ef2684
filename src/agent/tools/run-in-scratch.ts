/** How run_command, run_tests and the loop's own checks run a command over the staged edits. */
import type {CommandResult, CommandSource} from '../ports.js'
import {type ToolContext, ToolRefused} from './tool.js'

export function formatResult(argv: readonly string[], result: CommandResult): string {
  const status = result.timedOut ? 'timed out' : `exit code ${result.exitCode}`
  return `$ ${argv.join(' ')}\n${status}\n${result.output}`
}

/**
 * Whether a command over the staged edits may run, asking once when it must. Unconfined (no
 * bubblewrap), any command there may execute code the model wrote this run (a test, a
 * package.json script, a build file; staged, or committed by an earlier sub-task) with the
 * user's rights, outside any rollback: it needs the approval a command outside the allow-list
 * needs, and the question says which files changed.
 */
async function clearToRun(argv: readonly string[], context: ToolContext, source: CommandSource): Promise<CommandSource> {
  const command = argv.join(' ')
  const allowListed = source !== 'approved'
  const changed = context.runner.confined ? [] : [...new Set([...context.landed, ...context.tx.changes().map((change) => change.path)])]
  if (allowListed && changed.length === 0) return source
  const files = changed.join(', ')
  const subject = changed.length === 0 ? command : `${command} (unconfined: no bubblewrap here; it would run code this run changed: ${files})`
  if (await context.approve('command', subject)) return 'approved'
  if (changed.length === 0) throw new ToolRefused(`"${command}" is not on the allow-list and was not approved`)
  throw new ToolRefused(
    `"${command}" was not run: commands run unconfined on this machine (bubblewrap is missing or off) and it would execute code this run changed (${files}). ` +
      'Install bubblewrap (apt-get install bubblewrap) to run it confined, or allow it with --approve commands.',
  )
}

/**
 * The directory to run a command in over the staged edits (the repository itself while none are
 * staged), once it may run, and why it may: `wanted` is 'approved' for a command outside the
 * allow-list, which a person must then approve.
 */
export async function scratchFor(argv: readonly string[], context: ToolContext, wanted: CommandSource): Promise<{cwd: string; source: CommandSource}> {
  const source = await clearToRun(argv, context, wanted)
  return {cwd: context.scratch.prepare(context.tx.changes()), source}
}

export async function runInScratch(argv: string[], context: ToolContext, wanted: CommandSource): Promise<CommandResult> {
  const {cwd, source} = await scratchFor(argv, context, wanted)
  return context.runner.run(argv, {cwd, timeoutMs: context.commandTimeoutMs, source, signal: context.signal})
}
