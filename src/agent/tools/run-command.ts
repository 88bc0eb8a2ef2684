import {z} from 'zod'

import {isAllowedCommand, splitCommand} from '../../workspace/command-policy.js'
import {formatResult, runInScratch} from './run-in-scratch.js'
import {defineTool, ToolError} from './tool.js'

export const runCommandTool = defineTool({
  name: 'run_command',
  description:
    'Run a command (no shell: no pipes, redirections or variables) in a copy of the repository that includes the staged edits.',
  schema: z.object({command: z.string().min(1).describe('e.g. "npm test" or "git log -5 --oneline"')}),
  mutates: false,
  async run({command}, context) {
    let argv: string[]
    try {
      argv = splitCommand(command)
    } catch (error) {
      throw new ToolError((error as Error).message)
    }
    if (argv.length === 0) throw new ToolError('empty command')
    return formatResult(argv, await runInScratch(argv, context, isAllowedCommand(argv, context.allowedCommands) ? 'allow-list' : 'approved'))
  },
})
