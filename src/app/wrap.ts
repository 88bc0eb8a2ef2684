/**
 * `pyagent skills add|remove` for command-line programs, and the tools a run gets from them. The
 * help is read by running the program under the command sandbox like any command (`--help`, and
 * `man` where there is a page); what it proposes is kept only once the person adding it said yes.
 * A call runs under the sandbox and the allow-list like run_command: off the list, it asks.
 */
import {z} from 'zod'

import {formatResult, runInScratch} from '../agent/tools/run-in-scratch.js'
import {defineTool, type Tool, ToolError} from '../agent/tools/index.js'
import type {Config} from '../config/schema.js'
import {compileArgumentCheck} from '../mcp/input-schema.js'
import {WrapError} from '../skills/errors.js'
import {helpOptions, MAX_OPTIONS} from '../skills/help-options.js'
import {argumentSchema, argvFor, loadWrappedTools, proposeWrappedTool, removeWrappedTool, saveWrappedTool, type WrappedTool} from '../skills/wrapped-tools.js'
import {isAllowedCommand} from '../workspace/command-policy.js'
import {runCommand} from '../workspace/command-runner.js'

/** Enough for the longest help we met (git's man page is ~100 kB; its options come early). */
const HELP_BYTES = 128 * 1024
const HELP_TIMEOUT_MS = 15_000

/** What the program printed, or (error) why it did not run: not found, not executable, killed, or a failure with nothing like help to show. */
async function readHelp(root: string, config: Config, argv: string[]): Promise<{text: string; cut: boolean; error: string | null}> {
  const result = await runCommand(argv, {
    root,
    allowed: [argv.join(' ')],
    timeoutMs: HELP_TIMEOUT_MS,
    outputBytes: HELP_BYTES,
    sandbox: config.commandSandbox,
    denyPaths: config.denyPaths,
    env: {...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '100'},
  })
  // Many programs print their help on stderr.
  const text = result.stdout.trim() ? result.stdout : result.stderr
  const failed = result.exitCode !== 0 && !result.stdout.trim() && helpOptions(result.stderr).length === 0
  const error = result.error ?? (result.timedOut ? 'it did not finish in time' : failed ? `exit code ${result.exitCode}: ${result.stderr.trim().slice(0, 300)}` : null)
  return {text, cut: result.stdoutOmitted + result.stderrOmitted > 0, error}
}

export interface WrapProposal {
  tool: WrappedTool
  schema: Record<string, unknown>
  /** What the person approving it should know: help that was cut, options left out, the man page. */
  notes: string[]
}

export async function proposeWrap(root: string, config: Config, program: string): Promise<WrapProposal> {
  const help = await readHelp(root, config, [program, '--help'])
  if (help.error) throw new WrapError(`${program} --help did not run: ${help.error}`)
  if (!help.text.trim()) throw new WrapError(`${program} --help printed nothing, so there is no option to propose; nothing was kept`)
  const notes: string[] = []
  if (help.cut) notes.push(`the help is longer than ${HELP_BYTES / 1024} kB; its middle was not read`)
  const man = await readHelp(root, config, ['man', program])
  if (!man.error && man.text.trim()) notes.push('options from the man page were added')
  const options = helpOptions(`${help.text}\n${man.error ? '' : man.text}`)
  if (options.length >= MAX_OPTIONS) notes.push(`only the first ${MAX_OPTIONS} options were kept: edit ${root}/.pyagent/tools/ to choose others`)
  if (options.length === 0) notes.push('no option was recognised in the help: the tool takes positional arguments only')
  const tool = proposeWrappedTool(program, help.text, options)
  return {tool, schema: argumentSchema(tool), notes}
}

export function keepWrap(root: string, tool: WrappedTool): string {
  return saveWrappedTool(root, tool)
}

export function forgetWrap(root: string, name: string): void {
  if (!removeWrappedTool(root, name)) throw new WrapError(`No wrapped tool named "${name}" (see \`pyagent skills list\`)`)
}

function agentTool(tool: WrappedTool): Tool {
  const parameters = argumentSchema(tool)
  const check = compileArgumentCheck(parameters)
  const name = `cli__${tool.name}`
  return defineTool({
    name,
    description: `Run ${tool.program} (no shell) in a copy of the repository with the staged edits. ${tool.summary}`.trim(),
    schema: z.looseObject({}),
    parameters,
    mutates: false,
    async run(args, context) {
      const problem = check(args)
      if (problem) throw new ToolError(`invalid arguments for ${name}: ${problem}`)
      const argv = argvFor(tool, args)
      return formatResult(argv, await runInScratch(argv, context, isAllowedCommand(argv, context.allowedCommands) ? 'allow-list' : 'approved'))
    },
  })
}

/** The wrapped programs as agent tools; a stored definition that does not parse is a notice. */
export function wrappedAgentTools(root: string, notice: (text: string) => void): Tool[] {
  const {tools, problems} = loadWrappedTools(root)
  for (const problem of problems) notice(`A wrapped tool is left out: ${problem}`)
  return tools.map(agentTool)
}
