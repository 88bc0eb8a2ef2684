/**
 * Which definitions matter for a task: a graph whose nodes are files and whose edges run from a
 * file that uses a name to each file that defines it, ranked by PageRank personalised to what
 * the task mentions and the agent touched; each file's rank then flows along its edges to the
 * definitions they name. The weights are aider's (which this map is measured against in
 * bench/repomap.ts): a mentioned name ×10, a long compound name ×10, a private one ×0.1, one
 * defined in more than five files ×0.1, a use from a touched file ×50, repeated uses by √count.
 */
import type {FileTags} from '../native.js'
import {type LinkGraph, linkFlows, outWeights, pageRank} from './pagerank.js'

export interface RankFocus {
  /** Files the task names: the random jump lands on them. */
  files: ReadonlySet<string>
  /** Words of the task: a definition with one of these names weighs more, and so does a file whose path has one as a component. */
  identifiers: ReadonlySet<string>
  /** Files the agent read or edited: jumped to, and what they use weighs more. */
  touched: ReadonlySet<string>
}

export interface RankedDefinition {
  path: string
  name: string
  rank: number
}

/** Best first; ties by path, then name, so the same repository and focus give the same order. */
export type Ranking = RankedDefinition[]

/** Weight of a defined-but-unused name's self-edge: enough to keep its definition in the ranking at all. */
const UNUSED_WEIGHT = 0.1

/** Long names joined from words are specific; `get` or `run` are defined everywhere and say little. */
function isSpecific(name: string): boolean {
  if (name.length < 8 || !/\p{L}/u.test(name)) return false
  return name.includes('_') || name.includes('-') || (/\p{Lu}/u.test(name) && /\p{Ll}/u.test(name))
}

function nameWeight(name: string, definers: number, focus: RankFocus): number {
  let weight = 1
  if (focus.identifiers.has(name)) weight *= 10
  if (isSpecific(name)) weight *= 10
  if (name.startsWith('_')) weight *= 0.1
  if (definers > 5) weight *= 0.1
  return weight
}

/** The parts of a path a task might name it by: its folders, its name, its name without the extension. */
function pathWords(path: string): string[] {
  const parts = path.split('/')
  const base = parts.at(-1) ?? path
  const dot = base.lastIndexOf('.')
  return dot > 0 ? [...parts, base.slice(0, dot)] : parts
}

interface Uses {
  /** Per name, the files that define it, ascending. */
  definers: Map<string, number[]>
  /** Per name, how often each file uses it. */
  users: Map<string, Map<number, number>>
}

function collectUses(paths: readonly string[], files: ReadonlyMap<string, FileTags>): Uses {
  const definers = new Map<string, number[]>()
  const users = new Map<string, Map<number, number>>()
  for (const [file, path] of paths.entries()) {
    const tags = files.get(path)!
    for (const {name} of tags.definitions) {
      const list = definers.get(name) ?? definers.set(name, []).get(name)!
      if (list.at(-1) !== file) list.push(file)
    }
    for (const {name} of tags.references) {
      const counts = users.get(name) ?? users.set(name, new Map()).get(name)!
      counts.set(file, (counts.get(file) ?? 0) + 1)
    }
  }
  // Languages that gave definitions but no references still rank: each definition uses itself.
  if (users.size === 0) {
    for (const [name, list] of definers) users.set(name, new Map(list.map((file) => [file, 1])))
  }
  return {definers, users}
}

/** Links (with the name of each) in file numbering, before files without an edge are dropped. */
class LinkBuilder {
  readonly names: string[] = []
  readonly userStart = [0]
  readonly userFile: number[] = []
  readonly userWeight: number[] = []
  readonly definerStart = [0]
  readonly definerFile: number[] = []

  add(name: string, users: Iterable<[number, number]>, definers: readonly number[]): void {
    this.names.push(name)
    for (const [file, weight] of users) {
      this.userFile.push(file)
      this.userWeight.push(weight)
    }
    this.userStart.push(this.userFile.length)
    this.definerFile.push(...definers)
    this.definerStart.push(this.definerFile.length)
  }
}

function buildLinks(paths: readonly string[], uses: Uses, focus: RankFocus): LinkBuilder {
  const links = new LinkBuilder()
  for (const name of [...uses.definers.keys()].sort()) {
    const definedIn = uses.definers.get(name)!
    const usedIn = uses.users.get(name)
    if (!usedIn) {
      for (const file of definedIn) links.add(name, [[file, UNUSED_WEIGHT]], [file])
      continue
    }
    const weight = nameWeight(name, definedIn.length, focus)
    const users = [...usedIn].map(([file, count]): [number, number] => [
      file,
      (focus.touched.has(paths[file]!) ? 50 : 1) * weight * Math.sqrt(count),
    ])
    links.add(name, users, definedIn)
  }
  return links
}

export function rankDefinitions(files: ReadonlyMap<string, FileTags>, focus: RankFocus): Ranking {
  const paths = [...files.keys()].sort()
  const links = buildLinks(paths, collectUses(paths, files), focus)

  // Only files with an edge are nodes (as in aider's graph), in path order.
  const linked = new Uint8Array(paths.length)
  for (const file of links.userFile) linked[file] = 1
  for (const file of links.definerFile) linked[file] = 1
  const nodeOf = new Int32Array(paths.length)
  const nodePaths: string[] = []
  for (const [file, path] of paths.entries()) if (linked[file]) nodeOf[file] = nodePaths.push(path) - 1
  const graph: LinkGraph = {
    nodes: nodePaths.length,
    userStart: Int32Array.from(links.userStart),
    userNode: Int32Array.from(links.userFile, (file) => nodeOf[file]!),
    userWeight: Float64Array.from(links.userWeight),
    definerStart: Int32Array.from(links.definerStart),
    definerNode: Int32Array.from(links.definerFile, (file) => nodeOf[file]!),
  }

  const personalisation = Float64Array.from(nodePaths, (path) => {
    const named = focus.files.has(path) || focus.touched.has(path) ? 1 : 0
    return named + (pathWords(path).some((word) => focus.identifiers.has(word)) ? 1 : 0)
  })
  const rank = pageRank(graph, personalisation)
  const flows = linkFlows(graph, rank, outWeights(graph))

  const byDefinition = new Map<string, RankedDefinition>()
  for (const [link, name] of links.names.entries()) {
    for (let at = graph.definerStart[link]!; at < graph.definerStart[link + 1]!; at += 1) {
      const path = nodePaths[graph.definerNode[at]!]!
      const key = `${path}\0${name}`
      const found = byDefinition.get(key)
      if (found) found.rank += flows[link]!
      else byDefinition.set(key, {path, name, rank: flows[link]!})
    }
  }
  return [...byDefinition.values()].sort((a, b) => b.rank - a.rank || compare(a.path, b.path) || compare(a.name, b.name))
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
