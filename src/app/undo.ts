/** `pyagent undo`, wired once: the repository's workspace under its path policy, the undo, the workspace closed again. */
import {existsSync} from 'node:fs'

import type {Config} from '../config/schema.js'
import {stateDbPath} from '../state/paths.js'
import {LookupError} from '../workspace/errors.js'
import {undo, type UndoResult} from '../workspace/undo.js'
import {Workspace} from '../workspace/workspace.js'

export async function undoInRepository(root: string, config: Config, ref: string, options: {force: boolean}): Promise<UndoResult> {
  // Nothing to undo where PyAgent never ran; opening the workspace would create .pyagent/ there.
  if (!existsSync(stateDbPath(root))) {
    throw new LookupError(`PyAgent has no record in ${root} (no ${stateDbPath(root)}), so there is nothing to undo; run it in the repository where the task ran, or pass --cwd.`)
  }
  const workspace = Workspace.open(root, {denyPaths: config.denyPaths})
  try {
    return await undo(workspace, ref, options)
  } finally {
    workspace.close()
  }
}

/** What an undo did, as `--json` and the MCP server report it. */
export function undoSummary(result: UndoResult) {
  return {
    undone: result.target.transactions.map((tx) => tx.id),
    kind: result.target.kind,
    transaction: result.commit.id,
    files: result.commit.files.map((file) => ({path: file.path, op: file.op})),
    overwritten: result.overwritten,
  }
}
