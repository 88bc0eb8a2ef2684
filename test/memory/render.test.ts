import {afterAll, describe, expect, it} from 'vitest'

import {TokenCounter} from '../../src/llm/tokens.js'
import {renderWithinBudget} from '../../src/memory/render.js'

const tokens = new TokenCounter('cl100k_base')
afterAll(() => tokens.free())
const count = (text: string) => tokens.count(text)

/** 40 files of 12 definitions each (tags encoded as the native module does), signatures of uneven length, ranked in an order that jumps between files. */
function repository(): {files: Map<string, string>; ranking: {path: string; name: string; rank: number}[]} {
  const files = new Map<string, string>()
  const ranking: {path: string; name: string; rank: number}[] = []
  for (let file = 0; file < 40; file += 1) {
    const path = `src/module${file}/part.ts`
    const definitions = Array.from({length: 12}, (_, index) => {
      const name = `handle${file}x${index}`
      const parameters = Array.from({length: (file * 7 + index * 3) % 9}, (_, at) => `argument${at}: Record<string, number>`).join(', ')
      return {name, line: index * 10 + 1, signature: `export function ${name}(${parameters}): void {`}
    })
    files.set(path, JSON.stringify([definitions.map(({name, line, signature}) => [name, line, signature]), []]))
    for (const {name} of definitions) ranking.push({path, name, rank: ((file * 31 + name.length * 17) % 97) / 97})
  }
  ranking.sort((a, b) => b.rank - a.rank || (a.path < b.path ? -1 : 1) || (a.name < b.name ? -1 : 1))
  return {files, ranking}
}

describe('renderWithinBudget', () => {
  it('shows the longest prefix of the ranking that fits: one definition more would not', () => {
    const {files, ranking} = repository()
    for (const budget of [0, 1, 7, 20, 64, 100, 333, 512, 1000, 1024, 2048, 4096, 6000]) {
      const map = renderWithinBudget(ranking, files, budget, count)
      const shown = map.definitions.length
      expect(map.tokens).toBeLessThanOrEqual(budget)
      expect(map.tokens).toBe(map.text === '' ? 0 : count(map.text))
      if (shown < ranking.length) {
        const oneMore = renderWithinBudget(ranking.slice(0, shown + 1), files, Number.MAX_SAFE_INTEGER, count)
        expect(oneMore.tokens, `budget ${budget}, ${shown} shown`).toBeGreaterThan(budget)
      }
    }
  })

  it('shows everything when everything fits, and nothing for a budget of zero', () => {
    const {files, ranking} = repository()
    expect(renderWithinBudget(ranking, files, 1e9, count).definitions).toHaveLength(ranking.length)
    expect(renderWithinBudget(ranking, files, 0, count)).toMatchObject({text: '', tokens: 0, definitions: []})
  })
})
