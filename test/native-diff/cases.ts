/**
 * Inputs for the diff/patch suites: real source files from node_modules and fast-check
 * arbitraries that mutate them the way edits do (insertions, deletions, moved and duplicated
 * lines, CRLF, a missing final newline).
 */
import fc from 'fast-check'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const NODE_MODULES = fileURLToPath(new URL('../../node_modules/', import.meta.url))
const PACKAGES = ['diff', 'execa', 'zod', '@oclif/core', 'ink', 'simple-git']
const EXTENSIONS = /\.(?:[cm]?js|ts|md|json)$/

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) walk(path, out)
    else if (entry.isFile() && EXTENSIONS.test(entry.name)) out.push(path)
  }
}

let cached: string[] | undefined

/** About `limit` real text files of 0.5–30 KB, the same ones on every run. */
export function realSources(limit = 120): string[] {
  if (!cached) {
    const paths: string[] = []
    for (const name of PACKAGES) walk(join(NODE_MODULES, name), paths)
    const sized = paths.sort().filter((path) => {
      const size = statSync(path).size
      return size >= 512 && size <= 30_000
    })
    const step = Math.max(1, Math.floor(sized.length / limit))
    cached = sized.filter((_, i) => i % step === 0).map((path) => readFileSync(path, 'utf8'))
  }
  return cached.slice(0, limit)
}

/** Lines with their terminators, like the engine splits them. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? []
}

const lineText = fc.oneof(
  fc.constantFrom('', '}', '  return x', '\t// note', 'import a from "b"', '    if (ok) {', 'é ünïcode ✓', 'a\rb'),
  fc.string({maxLength: 20}).map((s) => s.replace(/[\n\0]/g, '')),
)

type Mutation =
  | {kind: 'delete'; at: number; count: number}
  | {kind: 'insert'; at: number; lines: string[]}
  | {kind: 'replace'; at: number; line: string}
  | {kind: 'move'; from: number; to: number; count: number}
  | {kind: 'duplicate'; at: number; count: number}
  | {kind: 'crlf'; at: number; count: number}
  | {kind: 'final-newline'}

const position = fc.double({min: 0, max: 1, noNaN: true, maxExcluded: true})
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({kind: fc.constant('delete' as const), at: position, count: fc.integer({min: 1, max: 8})}),
  fc.record({kind: fc.constant('insert' as const), at: position, lines: fc.array(lineText, {minLength: 1, maxLength: 6})}),
  fc.record({kind: fc.constant('replace' as const), at: position, line: lineText}),
  fc.record({kind: fc.constant('move' as const), from: position, to: position, count: fc.integer({min: 1, max: 10})}),
  fc.record({kind: fc.constant('duplicate' as const), at: position, count: fc.integer({min: 1, max: 5})}),
  fc.record({kind: fc.constant('crlf' as const), at: position, count: fc.integer({min: 1, max: 20})}),
  fc.constant({kind: 'final-newline' as const}),
)

function applyMutation(lines: string[], m: Mutation): string[] {
  const out = [...lines]
  const index = (p: number, extra = 0) => Math.floor(p * (out.length + extra))
  const withNewline = (line: string) => (line.endsWith('\n') ? line : `${line}\n`)
  switch (m.kind) {
    case 'delete':
      out.splice(index(m.at), m.count)
      break
    case 'insert':
      out.splice(index(m.at, 1), 0, ...m.lines.map((line) => `${line}\n`))
      break
    case 'replace':
      if (out.length > 0) out[index(m.at)] = `${m.line}\n`
      break
    case 'move': {
      const block = out.splice(index(m.from), m.count)
      out.splice(index(m.to, 1), 0, ...block)
      break
    }
    case 'duplicate': {
      const at = index(m.at)
      out.splice(at, 0, ...out.slice(at, at + m.count))
      break
    }
    case 'crlf':
      for (let i = index(m.at); i < Math.min(out.length, index(m.at) + m.count); i++) {
        const line = out[i]!
        if (line.endsWith('\n') && !line.endsWith('\r\n')) out[i] = `${line.slice(0, -1)}\r\n`
      }
      break
    case 'final-newline': {
      const last = out.length - 1
      if (last >= 0) out[last] = out[last]!.endsWith('\n') ? out[last]!.replace(/\r?\n$/, '') : `${out[last]}\n`
      break
    }
  }
  // A line that lost its newline in the middle would merge with the next; keep lines whole.
  return out.map((line, i) => (i < out.length - 1 ? withNewline(line) : line))
}

/** A real source file (or a slice of one) and an edited copy of it. */
export function mutatedSourcePair(sources: string[]): fc.Arbitrary<{a: string; b: string}> {
  return fc
    .record({
      source: fc.integer({min: 0, max: sources.length - 1}),
      mutations: fc.array(mutation, {minLength: 0, maxLength: 8}),
      before: fc.array(mutation, {maxLength: 2}),
    })
    .map(({source, mutations, before}) => {
      const base = before.reduce(applyMutation, splitLines(sources[source]!))
      const a = base.join('')
      const b = mutations.reduce(applyMutation, base).join('')
      return {a, b}
    })
}

/** Two short texts over a tiny vocabulary: many repeated lines, the hard case for a diff. */
export const randomPair: fc.Arbitrary<{a: string; b: string}> = fc
  .record({
    a: fc.array(fc.constantFrom('a', 'b', 'c', '', '}', 'x\r'), {maxLength: 30}),
    b: fc.array(fc.constantFrom('a', 'b', 'c', '', '}', 'y'), {maxLength: 30}),
    aEnd: fc.boolean(),
    bEnd: fc.boolean(),
    crlf: fc.boolean(),
  })
  .map(({a, b, aEnd, bEnd, crlf}) => {
    const eol = crlf ? '\r\n' : '\n'
    const join = (lines: string[], end: boolean) => lines.join(eol) + (end && lines.length > 0 ? eol : '')
    return {a: join(a, aEnd), b: join(b, bEnd)}
  })
