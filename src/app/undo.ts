/** `pyagent undo`, wired once: the repository's workspace under its path policy, the undo, the workspace closed again. */
import type {Config} from '../config/schema.js'
import {undo, type UndoResult} from '../workspace/undo.js'
import {Workspace} from '../workspace/workspace.js'

export async function undoInRepository(root: string, config: Config, ref: string, options: {force: boolean}): Promise<UndoResult> {
  const workspace = Workspace.open(root, {denyPaths: config.denyPaths})
  try {
    return await undo(workspace, ref, options)
  } finally {
    workspace.close()
  }
}
