/**
 * The texts bench/diff.ts and bench/diff-instructions.ts diff: synthetic TypeScript-like lines,
 * 30% of them repeated boilerplate, the same on every run (a fixed seed, drawn in a fixed order).
 */

let seed = 0x9e3779b9
function random(): number {
  seed = (seed * 1664525 + 1013904223) >>> 0
  return seed / 2 ** 32
}

const SNIPPETS = ['}', '', '  return result', '  if (!ok) {', '    throw new Error(message)', '  }', 'export function step() {']

function sourceLine(i: number): string {
  return random() < 0.3 ? SNIPPETS[Math.floor(random() * SNIPPETS.length)]! : `  const v${i} = compute(${Math.floor(random() * 1e6)}, 'k${i % 97}')`
}

function file(lines: number): string[] {
  return Array.from({length: lines}, (_, i) => sourceLine(i))
}

/** Changes `share` of the lines at scattered places: replacements, insertions and deletions. */
function scatter(lines: string[], share: number): string[] {
  const out: string[] = []
  for (const [i, line] of lines.entries()) {
    const roll = random()
    if (roll < share / 3) out.push(`${line} // edited`)
    else if (roll < (2 * share) / 3) out.push(line, `  inserted(${i})`)
    else if (roll >= share) out.push(line)
  }
  return out
}

export const text = (lines: string[]) => `${lines.join('\n')}\n`

export interface Scenario {
  name: string
  a: string
  b: string
}

export function diffScenarios(): Scenario[] {
  seed = 0x9e3779b9
  const ten = file(10_000)
  const hundred = file(100_000)
  return [
    {name: '(a) 10k lines, 1% changed', a: text(ten), b: text(scatter(ten, 0.01))},
    {name: '(b) 100k lines, scattered edits', a: text(hundred), b: text(scatter(hundred, 0.01))},
    // 5k lines: jsdiff needs tens of seconds for a 10k-line rewrite.
    {name: '(c) 5k lines, whole rewrite', a: text(ten.slice(0, 5_000)), b: text(file(5_000))},
  ]
}
