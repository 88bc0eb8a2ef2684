import {z} from 'zod'

import {assertMayTouch, defineTool, pathArg, ToolError} from './tool.js'

export const readFileTool = defineTool({
  name: 'read_file',
  description: 'Read a text file, whole or a range of lines (1-based, inclusive). Shows staged edits.',
  schema: z.object({
    path: pathArg,
    startLine: z.int().positive().optional().describe('First line to show'),
    endLine: z.int().positive().optional().describe('Last line to show'),
  }),
  mutates: false,
  async run({path, startLine, endLine}, context) {
    assertMayTouch(context, path, 'read')
    const lines = context.tx.readText(path).split('\n')
    const first = startLine ?? 1
    const last = Math.min(endLine ?? lines.length, lines.length)
    if (first > last) throw new ToolError(`${path} has ${lines.length} lines; asked for ${first}-${last}`)
    const header = startLine || endLine ? `${path} (lines ${first}-${last} of ${lines.length})\n` : ''
    return header + lines.slice(first - 1, last).join('\n')
  },
})
