/**
 * PageRank by power iteration, personalised, over the graph of a repository map: every file
 * that uses a name links to every file that defines it. Such a graph has uses × definitions
 * edges (a name like `get`, used in 500 files and defined in 200, alone makes 100,000), so the
 * edges are kept as links through names: uses + definitions entries, and each iteration costs as
 * many steps. The result is the same as on the expanded graph, whose parallel edges add up.
 *
 * It follows networkx's `pagerank` (alpha 0.85, at most 100 iterations, L1 tolerance N×1e-6,
 * uniform start; the personalisation vector is also where dangling nodes' rank goes), so that
 * a map ranks as aider's does for the same graph (bench/repomap.ts measures that).
 */

/** Links in compressed rows: link `k`'s users are `userNode[userStart[k]..userStart[k+1]]`, likewise its definers. */
export interface LinkGraph {
  nodes: number
  userStart: Int32Array
  userNode: Int32Array
  /** The weight of the edge from this user to each definer of the link. */
  userWeight: Float64Array
  definerStart: Int32Array
  definerNode: Int32Array
}

const ALPHA = 0.85
const MAX_ITERATIONS = 100
const TOLERANCE = 1e-6

export function linkCount(graph: LinkGraph): number {
  return graph.userStart.length - 1
}

/** Each node's total out-edge weight: a user's weight counts once per definer it reaches. */
export function outWeights(graph: LinkGraph): Float64Array {
  const out = new Float64Array(graph.nodes)
  for (let link = 0; link < linkCount(graph); link += 1) {
    const definers = graph.definerStart[link + 1]! - graph.definerStart[link]!
    for (let at = graph.userStart[link]!; at < graph.userStart[link + 1]!; at += 1) {
      out[graph.userNode[at]!]! += graph.userWeight[at]! * definers
    }
  }
  return out
}

/** The rank that flows along each link to each of its definers: its users' rank, each split over its out-edges by weight. */
export function linkFlows(graph: LinkGraph, rank: Float64Array, out: Float64Array): Float64Array {
  const flows = new Float64Array(linkCount(graph))
  for (let link = 0; link < flows.length; link += 1) {
    let flow = 0
    for (let at = graph.userStart[link]!; at < graph.userStart[link + 1]!; at += 1) {
      const user = graph.userNode[at]!
      flow += (rank[user]! * graph.userWeight[at]!) / out[user]!
    }
    flows[link] = flow
  }
  return flows
}

function normalised(values: Float64Array): Float64Array | undefined {
  let sum = 0
  for (const value of values) sum += value
  return sum > 0 ? values.map((value) => value / sum) : undefined
}

/** Each node's rank. `personalisation` (non-negative, one per node) falls back to uniform when missing or all zero. */
export function pageRank(graph: LinkGraph, personalisation?: Float64Array): Float64Array {
  const nodes = graph.nodes
  if (nodes === 0) return new Float64Array(0)
  const jump = (personalisation && normalised(personalisation)) ?? new Float64Array(nodes).fill(1 / nodes)
  const out = outWeights(graph)
  const dangling: number[] = []
  for (let node = 0; node < nodes; node += 1) if (out[node] === 0) dangling.push(node)

  let rank = new Float64Array(nodes).fill(1 / nodes)
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration += 1) {
    const flows = linkFlows(graph, rank, out)
    const next = new Float64Array(nodes)
    for (let link = 0; link < flows.length; link += 1) {
      for (let at = graph.definerStart[link]!; at < graph.definerStart[link + 1]!; at += 1) next[graph.definerNode[at]!]! += flows[link]!
    }
    let danglingRank = 0
    for (const node of dangling) danglingRank += rank[node]!
    let change = 0
    for (let node = 0; node < nodes; node += 1) {
      next[node] = ALPHA * (next[node]! + danglingRank * jump[node]!) + (1 - ALPHA) * jump[node]!
      change += Math.abs(next[node]! - rank[node]!)
    }
    rank = next
    if (change < nodes * TOLERANCE) break
  }
  return rank
}
