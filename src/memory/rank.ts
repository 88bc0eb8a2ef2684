/**
 * Which definitions matter for a task: PageRank over the repository's use/definition graph,
 * personalised to what the task mentions and the agent touched. The ranking runs in the native
 * module (native/src/tags/rank.rs, where its weights are told) straight from the tags as the
 * cache holds them: a large tree's tags, decoded into objects here, cost several times the
 * ranking itself.
 */
import {rankTags, type TagsFocus} from '../native.js'
import {RepoMapError} from './errors.js'

export interface RankedDefinition {
  path: string
  name: string
  rank: number
}

/** Best first; ties by path, then name, so the same repository and focus give the same order. */
export type Ranking = RankedDefinition[]

/** `files`: each file's tags as extractTags encoded them, by repository-relative path. */
export async function rankDefinitions(files: ReadonlyMap<string, string>, focus: TagsFocus): Promise<Ranking> {
  const paths = [...files.keys()]
  let ranked
  try {
    ranked = await rankTags(paths, [...files.values()], focus)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new RepoMapError(
      `The map cannot be ranked: ${reason}. The map's cache in the state database was changed outside PyAgent; move .pyagent/state.db aside and run again to rebuild it.`,
      {cause: error},
    )
  }
  const names = ranked.names.split('\0')
  return Array.from(ranked.files, (file, index) => ({path: paths[file]!, name: names[index]!, rank: ranked.ranks[index]!}))
}
