/** How the editing tools stage a file's new content: guarded, approved, reported as a diff. */
import {assertMayTouch, type ToolContext, ToolRefused} from './tool.js'

export async function stage(context: ToolContext, path: string, next: string | null, op: string): Promise<string> {
  assertMayTouch(context, path, 'write')
  if (!(await context.approve('edit', `${op} ${path}`))) throw new ToolRefused(`${op} ${path} was not approved`)
  let before = ''
  try {
    before = context.tx.readText(path)
  } catch (error) {
    if (op !== 'create') throw error
  }
  if (next === null) context.tx.delete(path)
  else context.tx.write(path, next)
  const {added, removed} = context.onDiff(path, before, next)
  return `${op} ${path}: staged (+${added} -${removed} against the repository). Nothing is written until the task finishes and passes review.`
}
