/**
 * Which repositories a fleet task may name: a local one (an absolute path, or a file:// URL)
 * only inside the configured roots, symlinks resolved, so that a client cannot point the
 * server's workers at any git repository its user can read; a remote URL is the remote's to guard.
 */
import {realpathSync} from 'node:fs'
import {homedir} from 'node:os'
import {isAbsolute, relative, sep} from 'node:path'
import {fileURLToPath} from 'node:url'

import {isGitWorkTree} from '../workspace/repo.js'
import {FleetRequestError} from '../fleet/errors.js'

const FIELD = 'body.repository'

/** The local path a repository names, or undefined for a remote URL. */
function localPath(repository: string): string | undefined {
  if (isAbsolute(repository)) return repository
  if (!repository.toLowerCase().startsWith('file:')) return undefined
  try {
    return fileURLToPath(repository)
  } catch {
    throw new FleetRequestError(`${FIELD}: ${repository} is not a file URL of a local path.`, FIELD)
  }
}

function expandHome(root: string, home: string): string {
  return root === '~' ? home : root.startsWith('~/') ? home + root.slice(1) : root
}

function realOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path)
  } catch {
    return undefined
  }
}

const inside = (path: string, root: string) => {
  const rel = relative(root, path)
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))
}

/** Throws a FleetRequestError naming body.repository unless the repository is remote, or a git repository inside one of `roots`. */
export function checkRepository(repository: string, roots: readonly string[], home = homedir()): void {
  const path = localPath(repository)
  if (path === undefined) return
  // Refused as written, before anything resolves it: a `..` in a repository path is a mistake or an attempt.
  if (repository.split(/[\\/]+/).includes('..')) {
    throw new FleetRequestError(`${FIELD}: ${repository} climbs out of a directory with "..": give the repository's path without it.`, FIELD)
  }
  const real = realOrUndefined(path)
  if (real === undefined || !isGitWorkTree(real)) {
    throw new FleetRequestError(`${FIELD}: ${repository} is not a git repository on the server's machine.`, FIELD)
  }
  const realRoots = roots.map((root) => realOrUndefined(expandHome(root, home))).filter((root) => root !== undefined)
  if (!realRoots.some((root) => inside(real, root))) {
    throw new FleetRequestError(
      `${FIELD}: ${repository} is outside the directories this server takes repositories from (${roots.join(', ')}); its operator can add a root with \`pyagent config set fleetRepositoryRoots …\`.`,
      FIELD,
    )
  }
}
