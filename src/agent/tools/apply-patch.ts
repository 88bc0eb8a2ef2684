import {z} from 'zod'

import {stage} from './staging.js'
import {assertMayTouch, defineTool, type ToolContext, ToolError} from './tool.js'

interface PlannedFile {
  path: string
  next: string | null
  op: 'patch' | 'create' | 'delete'
}

/**
 * Every file's new content, worked out before any is staged: a patch of several files lands
 * whole or the model is told which file failed and nothing is staged.
 */
function plan(context: ToolContext, path: string | undefined, patch: string): PlannedFile[] {
  const parts = context.engine.splitPatch(patch)
  if (parts.length <= 1) {
    const target = path ?? parts[0]?.newPath ?? parts[0]?.oldPath
    if (!target) throw new ToolError('the patch names no file: give path')
    return [{path: target, next: context.engine.applyPatch(context.tx.readText(target), patch), op: 'patch'}]
  }
  return parts.map((part) => {
    const target = part.newPath ?? part.oldPath!
    if (part.binary) throw new ToolError(`${target}: a binary change cannot be applied as text`)
    if (part.kind === 'rename' || part.kind === 'copy') throw new ToolError(`${target}: a ${part.kind} cannot be patched; write the new file and delete the old one`)
    assertMayTouch(context, target, 'write')
    if (part.kind === 'delete') return {path: target, next: null, op: 'delete'}
    const before = part.kind === 'create' ? '' : context.tx.readText(target)
    return {path: target, next: context.engine.applyPatch(before, part.patch), op: part.kind === 'create' ? 'create' : 'patch'}
  })
}

export const applyPatchTool = defineTool({
  name: 'apply_patch',
  description: 'Apply a unified diff (as `git diff` prints it) to one file, or to each file a multi-file diff names.',
  schema: z.object({
    path: z.string().min(1).optional().describe('The file, for a diff of one file (a multi-file diff names its own files)'),
    patch: z.string().min(1).describe('Unified diff'),
  }),
  mutates: true,
  async run({path, patch}, context) {
    if (path) assertMayTouch(context, path, 'write')
    const files = plan(context, path, patch)
    const staged: string[] = []
    for (const file of files) staged.push(await stage(context, file.path, file.next, file.op))
    return staged.join('\n')
  },
})
