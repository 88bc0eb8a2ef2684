/**
 * `pyagent map`, wired once: the repository's config (its token encoding), the tags cache in its
 * state database, the map, everything closed again. The cache is only a cache: outside a git
 * repository, or when the database cannot be opened, the map is built without it, and the
 * caller is told why.
 */
import {existsSync} from 'node:fs'

import {loadConfig} from '../config/load.js'
import {TokenCounter} from '../llm/tokens.js'
import {buildRepoMap, checkMapRoot, type IndexProgress, type RepoMap} from '../memory/repo-map.js'
import {openState, type StateDb} from '../state/db.js'
import {stateDbError} from '../state/errors.js'
import {stateDbPath} from '../state/paths.js'
import {isGitWorkTree} from '../workspace/repo.js'

/** aider's default map size: room for a few dozen signatures, a small share of any model's context. */
export const DEFAULT_MAP_TOKENS = 1024

export interface MapOptions {
  task?: string
  tokenBudget: number
  onProgress?: (progress: IndexProgress) => void
}

export interface MapReport extends RepoMap {
  tokenBudget: number
  /** Why the tags cache could not be used, when it could not; the map was then built from a parse of every file. */
  cacheUnavailable?: string
}

function openCache(root: string): {db?: StateDb; problem?: string} {
  if (!isGitWorkTree(root) && !existsSync(stateDbPath(root))) {
    return {problem: `${root} is not in a git repository, and PyAgent creates its .pyagent/ folder (where the tags cache lives) only in one.`}
  }
  try {
    return {db: openState(root)}
  } catch (error) {
    const known = stateDbError(error, stateDbPath(root))
    return {problem: known?.message ?? (error instanceof Error ? error.message : String(error))}
  }
}

export async function mapRepository(root: string, options: MapOptions): Promise<MapReport> {
  checkMapRoot(root)
  const {config} = loadConfig({repoRoot: root})
  const {db, problem} = openCache(root)
  const tokens = new TokenCounter(config.tokenEncoding)
  try {
    const map = await buildRepoMap({root, db, tokens, tokenBudget: options.tokenBudget, task: options.task, onProgress: options.onProgress})
    return {...map, tokenBudget: options.tokenBudget, ...(problem === undefined ? {} : {cacheUnavailable: problem})}
  } finally {
    tokens.free()
    db?.close()
  }
}
