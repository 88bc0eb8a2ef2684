/** Where a repository's state lives; the state layer opens it, and the commands that repair or report on it name it. */
import {join} from 'node:path'

export function pyagentDir(repoRoot: string): string {
  return join(repoRoot, '.pyagent')
}

export function stateDbPath(repoRoot: string): string {
  return join(pyagentDir(repoRoot), 'state.db')
}
