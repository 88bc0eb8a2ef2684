import {z} from 'zod'

import {splitCommand} from '../../workspace/command-policy.js'
import {formatResult, runInScratch} from './run-in-scratch.js'
import {defineTool, type ToolContext, ToolError} from './tool.js'

export interface TestOutcome {
  command: string
  passed: boolean
  output: string
}

/** Runs the repository's tests against the staged edits; undefined when the repository declares none. */
export async function runTests(context: ToolContext): Promise<TestOutcome | undefined> {
  if (!context.testCommand) return undefined
  const argv = splitCommand(context.testCommand)
  const result = await runInScratch(argv, context, 'declared')
  return {command: context.testCommand, passed: !result.timedOut && result.exitCode === 0, output: formatResult(argv, result)}
}

export const runTestsTool = defineTool({
  name: 'run_tests',
  description: "Run the repository's test command against the staged edits.",
  schema: z.object({}),
  mutates: false,
  async run(_args, context) {
    const outcome = await runTests(context)
    if (!outcome) throw new ToolError('this repository declares no test command (set testCommand in .pyagent/config.json)')
    return `${outcome.passed ? 'PASSED' : 'FAILED'}\n${outcome.output}`
  },
})
