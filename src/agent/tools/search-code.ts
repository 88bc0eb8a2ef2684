import {z} from 'zod'

import type {CodeHit} from '../../memory/code-search.js'
import {defineTool} from './tool.js'

/** Lines of each unit shown: its signature, and the comment above it when it has one. */
const SNIPPET_LINES = 3
const SNIPPET_LINE_CHARS = 160

function snippet(text: string): string {
  return text
    .split('\n')
    .slice(0, SNIPPET_LINES)
    .map((line) => `    ${line.length > SNIPPET_LINE_CHARS ? `${line.slice(0, SNIPPET_LINE_CHARS)}…` : line}`)
    .join('\n')
}

/** The index was made from the files on disk: a file the task changed may have moved its lines. */
function describe(hit: CodeHit, staged: ReadonlyMap<string, boolean>): string {
  const place = `${hit.path}:${hit.startLine}-${hit.endLine} ${hit.kind} ${hit.name}`
  const change = staged.get(hit.path)
  if (change === undefined) return `${place}\n${snippet(hit.text)}`
  const note = change ? 'edited in this task since it was indexed: read the file for its lines now' : 'deleted in this task'
  return `${place} (${note})\n${snippet(hit.text)}`
}

export const searchCodeTool = defineTool({
  name: 'search_code',
  description:
    'Find the functions, methods and classes that answer a question in words ("where are retries backed off", "parse header"): ' +
    'ranked by the words of their names, paths, comments and code (and by meaning when an embeddings endpoint is configured). ' +
    'Prints path:start-end, kind, name and the first lines of each. Use search for an exact pattern.',
  schema: z.object({
    query: z.string().min(1).describe('What the code does, or names in it'),
    limit: z.int().min(1).max(20).optional().describe('How many results (default 8)'),
  }),
  mutates: false,
  async run({query, limit}, context) {
    const {hits} = await context.memory.searchCode(query, {limit: limit ?? 8, admit: (path) => context.workspace.refusal(path) === undefined})
    if (hits.length === 0) return 'no code matches'
    const staged = new Map(context.tx.changes().map((change) => [change.path, change.content !== null]))
    return hits.map((hit) => describe(hit, staged)).join('\n')
  },
})
