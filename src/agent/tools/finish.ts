import {z} from 'zod'

import {defineTool} from './tool.js'

export const finishTool = defineTool({
  name: 'finish',
  description: 'End the task: give a short summary of what was done (or the answer, for a question).',
  schema: z.object({summary: z.string().min(1)}),
  mutates: false,
  async run({summary}) {
    return summary
  },
})
