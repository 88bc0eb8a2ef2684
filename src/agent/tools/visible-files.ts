import type {ToolContext} from './tool.js'

/** The files as the transaction sees them: the repository's (minus ignored ones) with staged creates and deletes applied. */
export async function visibleFiles(context: ToolContext): Promise<string[]> {
  const files = new Set(await context.workspace.listFiles())
  for (const change of context.tx.changes()) {
    if (change.content === null) files.delete(change.path)
    else files.add(change.path)
  }
  return [...files].filter((file) => context.workspace.refusal(file) === undefined).sort()
}
