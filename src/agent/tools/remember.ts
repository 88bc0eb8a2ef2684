import {z} from 'zod'

import {FACT_KINDS, MAX_FACT_CHARS} from '../../memory/facts.js'
import {defineTool} from './tool.js'

export const rememberTool = defineTool({
  name: 'remember',
  description:
    'Keep a fact about this repository for later tasks: how its tests run, a generated file not to edit, how long a step takes, a convention the code follows. ' +
    'One or two sentences that will still be true next week; not the task, not secrets. Repeating a fact strengthens it.',
  schema: z.object({
    text: z.string().min(1).max(MAX_FACT_CHARS).describe('The fact'),
    kind: z.enum(FACT_KINDS).optional().describe('note (the default), test-command, generated-path or duration'),
  }),
  mutates: false,
  async run({text, kind}, context) {
    const {merged, masked} = await context.memory.remember({text, kind: kind ?? 'note'})
    const said = merged ? 'Already known; the fact is now stronger.' : 'Remembered.'
    return masked ? `${said} A secret or personal detail in it was masked, as it will be whenever it is recalled.` : said
  },
})
