import {z} from 'zod'

import {stage} from './staging.js'
import {assertMayTouch, defineTool, pathArg} from './tool.js'

/** Files larger than this are left to the plain schema: their substring automaton would cost more than a retry. */
const SUBSTRING_LIMIT_BYTES = 32 * 1024

/**
 * The edit tool's arguments narrowed to files the agent has read: `path` one of them, and each
 * `search` text that occurs once in that file as staged now (`x-pyagent-substring-of`, which the
 * embedded engine decodes under), one edit a call, so that a small model cannot propose an edit
 * that fails to apply. Undefined when no file qualifies.
 */
export function editArgumentsFor(files: ReadonlyArray<{path: string; text: string}>): z.ZodType | undefined {
  const targets = files
    .filter((file) => file.text.length > 0 && Buffer.byteLength(file.text) <= SUBSTRING_LIMIT_BYTES)
    .map((file) =>
      z.object({
        path: z.literal(file.path),
        edits: z
          .array(z.object({search: z.string().min(1).meta({'x-pyagent-substring-of': file.text}).describe('Exact text to find'), replace: z.string().describe('Text to put instead')}))
          // One edit a call: a second search is held to the file as it was, not as the first left it.
          .length(1),
      }),
    )
  const [first, second, ...rest] = targets
  if (!first) return undefined
  return second ? z.union([first, second, ...rest]) : first
}

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
