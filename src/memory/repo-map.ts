/**
 * The repository map (relational memory): the signatures of the definitions that matter most
 * for a task, ranked over the whole repository's definition/reference graph and cut to a token
 * budget. `buildRepoMap` is the one entry point, for `pyagent map` and for the agent's prompt.
 */
import {statSync} from 'node:fs'
import {isAbsolute, relative, sep} from 'node:path'

import type {TokenCounter} from '../llm/tokens.js'
import type {StateDb} from '../state/db.js'
import {workingTree} from '../workspace/working-tree.js'
import {RepoMapError} from './errors.js'
import {mentionsIn} from './mentions.js'
import {rankDefinitions} from './rank.js'
import {type RenderedMap, renderWithinBudget} from './render.js'
import {type IndexProgress, type IndexStats, indexTags} from './tag-index.js'

export type {IndexProgress, IndexStats} from './tag-index.js'
export type {RenderedMap, ShownDefinition} from './render.js'

export interface RepoMapRequest {
  root: string
  /** Where tags are cached by content; without it every file is parsed. */
  db?: StateDb
  tokens: Pick<TokenCounter, 'count'>
  tokenBudget: number
  /** The task's text: the files and words it mentions focus the ranking. */
  task?: string
  /** Files and identifiers to focus on besides the task's own mentions. */
  mentioned?: {files?: readonly string[]; identifiers?: readonly string[]}
  /** Files the agent has read or edited, repository-relative or absolute: what they use ranks higher. */
  touched?: readonly string[]
  onProgress?: (progress: IndexProgress) => void
  /** Files the map may show (a task's map leaves out what the workspace refuses the agent); every listed file when absent. */
  visible?: (path: string) => boolean
}

export interface RepoMap extends RenderedMap {
  stats: IndexStats
  /** Wall time of each stage, in milliseconds. */
  timings: {index: number; rank: number; render: number}
}

/** Throws E_MAP unless `root` is a directory: checked before anything (a cache database, say) is created in it. */
export function checkMapRoot(root: string): void {
  let isDirectory = false
  try {
    isDirectory = statSync(root).isDirectory()
  } catch {
    // Reported below with the remedy.
  }
  if (!isDirectory) throw new RepoMapError(`${root} is not a directory, so it has no map; pass --cwd a repository's folder.`)
}

/** The files the map and the code index cover: the repository's files as git sees them (ignored ones left out). */
export async function listSourceFiles(root: string): Promise<string[]> {
  checkMapRoot(root)
  try {
    return await workingTree(root).listFiles()
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new RepoMapError(`The files of ${root} cannot be listed (${reason}); check that you can read every folder in it.`, {cause: error})
  }
}

function repositoryPath(root: string, path: string): string {
  const inside = isAbsolute(path) ? relative(root, path) : path
  return inside.split(sep).join('/').replace(/^\.\//, '')
}

export async function buildRepoMap(request: RepoMapRequest): Promise<RepoMap> {
  const {root, db, tokens, tokenBudget, task, mentioned, touched, onProgress, visible} = request
  const started = performance.now()
  const listed = await listSourceFiles(root)
  const paths = visible ? listed.filter(visible) : listed
  const index = await indexTags(root, paths, {db, onProgress})
  const indexed = performance.now()

  const fromTask = task ? mentionsIn(task, paths) : {files: [], identifiers: []}
  const ranking = await rankDefinitions(index.files, {
    files: new Set([...fromTask.files, ...(mentioned?.files ?? []).map((path) => repositoryPath(root, path))]),
    identifiers: new Set([...fromTask.identifiers, ...(mentioned?.identifiers ?? [])]),
    touched: new Set((touched ?? []).map((path) => repositoryPath(root, path))),
  })
  const ranked = performance.now()

  const rendered = renderWithinBudget(ranking, index.files, tokenBudget, (text) => tokens.count(text))
  const done = performance.now()
  return {
    ...rendered,
    stats: index.stats,
    timings: {index: Math.round(indexed - started), rank: Math.round(ranked - indexed), render: Math.round(done - ranked)},
  }
}
