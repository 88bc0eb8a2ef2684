import {z} from 'zod'

import {stage} from './staging.js'
import {assertMayTouch, defineTool, pathArg} from './tool.js'

export const applyPatchTool = defineTool({
  name: 'apply_patch',
  description: 'Apply a unified diff (as `git diff` prints it) to one file.',
  schema: z.object({path: pathArg, patch: z.string().min(1).describe('Unified diff of this one file')}),
  mutates: true,
  async run({path, patch}, context) {
    assertMayTouch(context, path, 'write')
    const next = context.engine.applyPatch(context.tx.readText(path), patch)
    return stage(context, path, next, 'patch')
  },
})
