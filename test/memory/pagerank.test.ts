import {describe, expect, it} from 'vitest'

import {type LinkGraph, pageRank} from '../../src/memory/pagerank.js'

/** A plain weighted graph as links of one user and one definer each. */
function graphOf(nodes: number, edges: [number, number, number][]): LinkGraph {
  return {
    nodes,
    userStart: Int32Array.from(edges.map((_, index) => index).concat(edges.length)),
    userNode: Int32Array.from(edges, ([from]) => from),
    userWeight: Float64Array.from(edges, ([, , weight]) => weight),
    definerStart: Int32Array.from(edges.map((_, index) => index).concat(edges.length)),
    definerNode: Int32Array.from(edges, ([, to]) => to),
  }
}

// Parallel edges, a self-loop and a dangling node (4); expected ranks are networkx 3's pagerank on the same MultiDiGraph.
const edges: [number, number, number][] = [
  [0, 1, 1],
  [0, 2, 2],
  [1, 2, 1],
  [2, 0, 0.5],
  [3, 2, 3],
  [3, 2, 1],
  [1, 1, 0.1],
]

describe('pageRank', () => {
  it('matches networkx without personalisation', () => {
    const rank = pageRank(graphOf(5, edges))
    const expected = [0.37489455876018024, 0.15428701548669924, 0.39852926912645514, 0.03614457831333275, 0.03614457831333275]
    for (const [node, value] of expected.entries()) expect(rank[node]).toBeCloseTo(value, 5)
  })

  it('matches networkx personalised (the jump and dangling rank go to nodes 3 and 4)', () => {
    const rank = pageRank(graphOf(5, edges), Float64Array.from([0, 0, 0, 1, 1]))
    const expected = [0.2976126036019087, 0.09138525036269182, 0.35013242318577675, 0.1304348614248113, 0.1304348614248113]
    for (const [node, value] of expected.entries()) expect(rank[node]).toBeCloseTo(value, 5)
  })

  it('counts a link with several users and definers as every edge between them', () => {
    const link: LinkGraph = {
      nodes: 4,
      userStart: Int32Array.from([0, 2]),
      userNode: Int32Array.from([0, 1]),
      userWeight: Float64Array.from([1, 3]),
      definerStart: Int32Array.from([0, 2]),
      definerNode: Int32Array.from([2, 3]),
    }
    const expanded = graphOf(4, [
      [0, 2, 1],
      [0, 3, 1],
      [1, 2, 3],
      [1, 3, 3],
    ])
    expect([...pageRank(link)]).toEqual([...pageRank(expanded)])
  })

  it('falls back to a uniform jump when the personalisation is all zero, and ranks an empty graph as nothing', () => {
    expect([...pageRank(graphOf(5, edges), new Float64Array(5))]).toEqual([...pageRank(graphOf(5, edges))])
    expect(pageRank(graphOf(0, []))).toHaveLength(0)
  })
})
