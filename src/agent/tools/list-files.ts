import {z} from 'zod'

import {defineTool} from './tool.js'
import {visibleFiles} from './visible-files.js'

export const listFilesTool = defineTool({
  name: 'list_files',
  description: 'List the repository files (honouring .gitignore), optionally under a directory.',
  schema: z.object({directory: z.string().optional().describe('Only files under this directory')}),
  mutates: false,
  async run({directory}, context) {
    const prefix = directory ? `${directory.replace(/\/+$/, '')}/` : ''
    const files = (await visibleFiles(context)).filter((file) => file.startsWith(prefix))
    return files.length === 0 ? `no files${prefix ? ` under ${prefix}` : ''}` : files.join('\n')
  },
})
