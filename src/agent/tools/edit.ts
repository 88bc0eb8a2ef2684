import {z} from 'zod'

import {stage} from './staging.js'
import {assertMayTouch, defineTool, pathArg} from './tool.js'

export const editTool = defineTool({
  name: 'edit',
  description:
    'Edit a file by search/replace: each search must match exactly one place in the file (include enough surrounding lines).',
  schema: z.object({
    path: pathArg,
    edits: z
      .array(z.object({search: z.string().min(1).describe('Exact text to find'), replace: z.string().describe('Text to put instead')}))
      .min(1),
  }),
  mutates: true,
  async run({path, edits}, context) {
    assertMayTouch(context, path, 'write')
    const next = context.engine.applyEdits(context.tx.readText(path), edits)
    return stage(context, path, next, 'edit')
  },
})
