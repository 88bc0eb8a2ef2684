/**
 * The map as text: the signatures of the best-ranked definitions, grouped by file (files in the
 * order of their best definition, signatures in line order, each line with its number), as many
 * as fit a token budget. How many fit is found by counting the tokens of candidate prefixes (see
 * renderWithinBudget), since tokens cannot be told from characters. The same ranking always
 * renders the same bytes, so a prompt that starts with the map stays a cacheable prefix.
 */
import {decodeTags, type TagDefinition} from '../native.js'
import type {RankedDefinition} from './rank.js'

export interface ShownDefinition {
  path: string
  name: string
  line: number
  rank: number
}

export interface RenderedMap {
  text: string
  tokens: number
  /** Files shown, in the map's order. */
  files: string[]
  definitions: ShownDefinition[]
}

type CountTokens = (text: string) => number

/** A file's definitions by name, decoded only for files a render reaches. */
class DefinitionLookup {
  private readonly byFile = new Map<string, Map<string, TagDefinition[]>>()

  constructor(private readonly files: ReadonlyMap<string, string>) {}

  get(path: string, name: string): TagDefinition[] {
    let byName = this.byFile.get(path)
    if (!byName) {
      byName = new Map()
      const encoded = this.files.get(path)
      for (const definition of encoded === undefined ? [] : decodeTags(encoded).definitions) {
        const list = byName.get(definition.name) ?? byName.set(definition.name, []).get(definition.name)!
        list.push(definition)
      }
      this.byFile.set(path, byName)
    }
    return byName.get(name) ?? []
  }
}

function render(top: readonly RankedDefinition[], lookup: DefinitionLookup): Omit<RenderedMap, 'tokens'> {
  const groups = new Map<string, TagDefinition[]>()
  const definitions: ShownDefinition[] = []
  for (const {path, name, rank} of top) {
    const found = lookup.get(path, name)
    const group = groups.get(path) ?? groups.set(path, []).get(path)!
    group.push(...found)
    for (const {line} of found) definitions.push({path, name, line, rank})
  }
  const blocks: string[] = []
  for (const [path, group] of groups) {
    const lines = new Map<number, string>()
    for (const definition of group) {
      for (const [offset, text] of definition.signature.split('\n').entries()) lines.set(definition.line + offset, text)
    }
    const numbered = [...lines].sort(([a], [b]) => a - b).map(([line, text]) => `${line}│${text}`)
    blocks.push(`${path}:\n${numbered.join('\n')}\n`)
  }
  return {text: blocks.join(''), files: [...groups.keys()], definitions}
}

/** The first guess: a prefix this long costs little to count and tells how many tokens a definition takes. */
const FIRST_GUESS = 16

/**
 * The longest prefix of `ranking` whose rendering fits `budget` tokens, rendered. Tokens grow
 * about linearly with the definitions shown, so after a fit the next guess is where that line
 * reaches the budget, and after a miss the range is halved as a binary search would: the same
 * prefix as a binary search, found in fewer counts of texts no longer than the map, where a
 * binary search starts by counting half the repository's signatures (counting is most of a
 * render's time).
 */
export function renderWithinBudget(
  ranking: readonly RankedDefinition[],
  /** Each file's tags as extractTags encoded them. */
  files: ReadonlyMap<string, string>,
  budget: number,
  count: CountTokens,
): RenderedMap {
  const lookup = new DefinitionLookup(files)
  const attempt = (size: number): RenderedMap => {
    const rendered = render(ranking.slice(0, size), lookup)
    return {...rendered, tokens: rendered.text === '' ? 0 : count(rendered.text)}
  }
  // Every definition shown costs at least a token, so more than `budget` of them never fit.
  // Invariant: `low` definitions fit (`best` is their rendering); more than `high` do not.
  let low = 0
  let high = Math.min(ranking.length, Math.max(0, Math.floor(budget)))
  let best = attempt(0)
  let next = Math.min(high, FIRST_GUESS)
  while (low < high) {
    const middle = Math.min(high, Math.max(low + 1, next))
    const rendered = attempt(middle)
    if (rendered.tokens <= budget) {
      low = middle
      best = rendered
      next = low + Math.floor(((budget - best.tokens) * low) / Math.max(1, best.tokens))
    } else {
      high = middle - 1
      next = Math.ceil((low + high) / 2)
    }
  }
  return best
}
