import {z} from 'zod'

import {stage} from './staging.js'
import {defineTool, pathArg, type ToolContext} from './tool.js'

function exists(context: ToolContext, path: string): boolean {
  try {
    context.tx.readText(path)
    return true
  } catch {
    return false
  }
}

export const writeFileTool = defineTool({
  name: 'write_file',
  description: 'Create a file, or replace its whole content.',
  schema: z.object({path: pathArg, content: z.string()}),
  mutates: true,
  async run({path, content}, context) {
    return stage(context, path, content, exists(context, path) ? 'write' : 'create')
  },
})
