import {z} from 'zod'

import {defineTool, ToolError, ToolRefused} from './tool.js'
import {visibleFiles} from './visible-files.js'

function searchText(path: string, text: string, pattern: RegExp): string[] {
  const hits: string[] = []
  text.split('\n').forEach((line, index) => {
    if (pattern.test(line)) hits.push(`${path}:${index + 1}:${line}`)
  })
  return hits
}

export const searchTool = defineTool({
  name: 'search',
  description: 'Search file contents with a regular expression; prints path:line:text for each match. Sees staged edits.',
  schema: z.object({
    pattern: z.string().min(1).describe('Regular expression (Rust/JavaScript syntax)'),
    directory: z.string().optional().describe('Only search under this directory'),
  }),
  mutates: false,
  async run({pattern, directory}, context) {
    let regex: RegExp
    try {
      regex = new RegExp(pattern)
    } catch (error) {
      throw new ToolError(`invalid regular expression: ${(error as Error).message}`)
    }
    const scope = directory?.replace(/\/+$/, '')
    const refusal = scope && scope !== '.' ? context.workspace.refusal(scope) : undefined
    if (refusal) throw new ToolRefused(`${refusal}; search inside the repository instead`)
    const prefix = scope && scope !== '.' ? `${scope}/` : ''
    const staged = new Map(context.tx.changes().map((change) => [change.path, change.content]))
    const found = await context.workspace.grep(pattern, prefix || undefined)
    const hits: string[] = []
    if (found) {
      // What the guard refuses never reaches the model, whatever ripgrep found there.
      for (const {path, hit} of found) if (!staged.has(path) && context.workspace.refusal(path) === undefined) hits.push(hit)
      for (const [path, content] of staged) {
        if (content !== null && path.startsWith(prefix)) hits.push(...searchText(path, content.toString('utf8'), regex))
      }
    } else {
      for (const file of (await visibleFiles(context)).filter((path) => path.startsWith(prefix))) {
        let text: string
        try {
          text = context.tx.readText(file)
        } catch {
          continue
        }
        hits.push(...searchText(file, text, regex))
      }
    }
    return hits.length === 0 ? 'no matches' : hits.join('\n')
  },
})
