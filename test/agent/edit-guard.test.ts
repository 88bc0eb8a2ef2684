import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {EditGuard, type EditFiles} from '../../src/agent/edit-guard.js'
import {SearchTarget} from '../../src/agent/search-match.js'
import {nativeEngine} from '../../src/app/services.js'
import {FIXTURE, read, run} from './harness.js'
import {call, ScriptedModel, verdict} from './support.js'

/** Quotes and backslashes that JSON escapes, non-ASCII text, an emoji (a surrogate pair in UTF-16). */
const FILE = String.raw`export function quote(text) {
  return '"' + text.replace(/\\/g, '\\\\') + '"'
}

export const greeting = 'héllo 👋, wörld'
export function add(a, b) {
  return a - b
}
`

const files = (contents: Record<string, string>): EditFiles => ({
  read: (path) => contents[path],
  apply: (text, edits) => nativeEngine.applyEdits(text, edits),
})

const guardOver = (contents: Record<string, string> = {'src/q.js': FILE}) => new EditGuard(files(contents), new Set(['edit', 'write_file']))

/**
 * Streams a call's arguments into the guard `piece` characters at a time, after a first delta
 * with the name alone (as vLLM sends it); returns how many characters it had seen when it
 * stopped the answer, or undefined when it let the call through.
 */
function stream(guard: EditGuard, args: unknown, options: {piece?: number; index?: number; name?: string} = {}): number | undefined {
  const text = typeof args === 'string' ? args : JSON.stringify(args)
  const {piece = 1, index = 0, name = 'edit'} = options
  const ends = [0]
  for (let end = piece; end < text.length; end += piece) ends.push(end)
  ends.push(text.length)
  let start = 0
  for (const end of ends) {
    guard.observe({index, id: `call-${index}`, name, argumentsText: text.slice(0, end), added: text.slice(start, end)})
    if (guard.verdict) return end
    start = end
  }
  return undefined
}

describe('SearchTarget: how far a search can still match a file', () => {
  const target = new SearchTarget(FILE)

  it('admits every start of text in the file, and a start that leaves it nowhere', () => {
    expect(target.admits('')).toBe(true)
    expect(target.admits("  return '\"' + text.replace(/\\\\/g")).toBe(true)
    expect(target.admits('  return a - b\n}\n')).toBe(true)
    expect(target.admits('  return a + b')).toBe(false)
  })

  it("admits what only the engine's whitespace-blind fallback matches, as far as whole lines agree", () => {
    expect(target.admits('export function add(a, b) {\n    return a - b\n')).toBe(true)
    expect(target.admits('export function add(a,  b)')).toBe(true)
    expect(target.admits('    return a - ')).toBe(true)
    expect(target.admits('    return a -b')).toBe(false)
    expect(target.admits('export function add(a, b) {\n    return a * b')).toBe(false)
  })

  it('says at which character a search leaves the file and where it came nearest, with numbered lines', () => {
    const search = 'export function add(a, b) {\n  return a + b\n}'
    const divergence = target.divergence(search)
    expect(divergence).toEqual({at: search.indexOf('+'), character: search.indexOf('+') + 1, text: '+', nearest: {firstLine: 6, line: 7, loose: false, places: 1}})
    expect(target.numbered(5, 9, 7)).toBe(
      ["  5 | export const greeting = 'héllo 👋, wörld'", '  6 | export function add(a, b) {', '> 7 |   return a - b', '  8 | }'].join('\n'),
    )
  })

  it('counts characters, not UTF-16 units, and names a whole emoji as the character that differs', () => {
    const divergence = target.divergence("greeting = 'héllo 👍")
    expect(divergence).toMatchObject({character: 19, text: '👍', nearest: {firstLine: 5, line: 5, places: 1}})
  })

  it('reports the nearest match of the whitespace-blind fallback when it gets further than the exact text', () => {
    const divergence = target.divergence('export function add(a, b) {\n    return a * b\n')
    expect(divergence.text).toBe('*')
    expect(divergence.nearest).toEqual({firstLine: 6, line: 7, loose: true, places: 1})
  })

  it('has no nearest match for a search whose first character is not in the file', () => {
    expect(target.divergence('§ section')).toEqual({at: 0, character: 1, text: '§'})
  })

  it('admits every start of any search the engine applies, whitespace of every kind included', () => {
    const space = fc.constantFrom(' ', '\t', '  ', '\u0085', '\u00a0', '\u3000')
    const line = fc.array(fc.oneof(fc.constantFrom('a', 'b', 'ab', '(', '"', '\\'), space), {maxLength: 6}).map((parts) => parts.join(''))
    fc.assert(
      fc.property(fc.array(line, {minLength: 1, maxLength: 6}), fc.nat(), fc.nat(), space, fc.boolean(), (lines, from, count, swap, crlf) => {
        const file = lines.join(crlf ? '\r\n' : '\n') + '\n'
        const start = from % lines.length
        // A window of the file's lines, its whitespace traded for other whitespace: what the fallback is for.
        const search = lines.slice(start, start + 1 + (count % 3)).map((text) => text.replaceAll(/[ \t\u0085\u00a0\u3000]+/g, swap)).join('\n') + '\n'
        let applies = true
        try {
          nativeEngine.applyEdits(file, [{search, replace: 'x'}])
        } catch {
          applies = false
        }
        const target = new SearchTarget(file)
        if (applies) for (let end = 0; end <= search.length; end++) expect(target.admits(search.slice(0, end))).toBe(true)
      }),
      {numRuns: 300},
    )
  })

  it('counts every place an ambiguous start occurs', () => {
    expect(target.divergence('export Function').nearest).toMatchObject({firstLine: 1, places: 3})
  })
})

describe('EditGuard: an edit call read while it streams', () => {
  it('lets an exact search through, escapes split at any delta boundary', () => {
    const search = "  return '\"' + text.replace(/\\\\/g, '\\\\\\\\') + '\"'\n}\n\nexport const greeting = 'héllo 👋"
    expect(FILE).toContain(search)
    const args = {path: 'src/q.js', edits: [{search, replace: 'x'}]}
    for (const piece of [1, 2, 3, 7]) expect(stream(guardOver(), args, {piece})).toBeUndefined()
  })

  it('reads \\u escapes and stops at the first character the file does not continue with', () => {
    const guard = guardOver()
    const args = String.raw`{"path": "src/q.js", "edits": [{"search": "export const greeting = 'h\u00e9llo \ud83d\udc4b, w\u00f6rld!'", "replace": ""}]}`
    // The search leaves the file at "!": the guard has seen its escape-free character and no more.
    expect(stream(guard, args)).toBe(args.indexOf('!') + 1)
    expect(guard.signal.aborted).toBe(true)
    expect(guard.verdict!.observation).toContain('edits[0].search is not in src/q.js. At its character 40, "!"')
  })

  it('stops at an escaped newline where the file has none, and answers with the nearest lines numbered', () => {
    const guard = guardOver()
    const args = JSON.stringify({path: 'src/q.js', edits: [{search: 'export function add(a, b)\n{', replace: 'x'}]})
    expect(stream(guard, args)).toBe(args.indexOf('\\n') + 2)
    const {callId, sent, observation} = guard.verdict!
    expect(callId).toBe('call-0')
    expect(sent).toEqual({path: 'src/q.js', edits: [{search: 'export function add(a, b)\n'}]})
    expect(observation).toContain('At its character 26, "\\n" (after "export function add(a, b)"), it leaves the file')
    expect(observation).toContain('> 6 | export function add(a, b) {')
    expect(observation).toContain('  7 |   return a - b')
  })

  it('checks each search against the text the edits before it leave, as the tool applies them', () => {
    const first = {search: 'return a - b', replace: 'return a + b'}
    // Valid only after the first edit: the guard must not stop it.
    expect(stream(guardOver(), {path: 'src/q.js', edits: [first, {search: '  return a + b\n}', replace: '  return b + a\n}'}]})).toBeUndefined()
    const guard = guardOver()
    const args = {path: 'src/q.js', edits: [first, {search: '  return a - b', replace: ''}]}
    expect(stream(guard, args, {piece: 3})).toBeDefined()
    expect(guard.verdict!.observation).toContain('edits[1].search is not in src/q.js as edits[0] leaves it. At its character 12, "-"')
    expect(guard.verdict!.observation).toContain('> 7 |   return a + b')
  })

  it('leaves a call alone when the tool may not read its file, or when an earlier call may change files', () => {
    const wrong = {edits: [{search: 'nowhere to be found', replace: ''}]}
    expect(stream(guardOver(), {path: 'secret.env', ...wrong})).toBeUndefined()
    const guard = guardOver()
    stream(guard, {path: 'src/q.js', content: 'new text'}, {name: 'write_file'})
    expect(stream(guard, {path: 'src/q.js', ...wrong}, {index: 1})).toBeUndefined()
  })

  it('starts over when a retried attempt streams the call anew', () => {
    const guard = guardOver()
    // The first attempt got as far as an edit that replaced the text; the retry searches for it as it was.
    stream(guard, {path: 'src/q.js', edits: [{search: 'return a - b', replace: 'return a + b'}, {search: ''}]})
    expect(guard.verdict).toBeUndefined()
    expect(stream(guard, {path: 'src/q.js', edits: [{search: 'return a - b', replace: ''}, {search: 'nowhere', replace: ''}]})).toBeDefined()
    expect(guard.verdict!.observation).toContain('edits[1].search')
  })

  it('waits for the path to be whole before it reads a file', () => {
    const guard = guardOver({'src/q': 'other text', 'src/q.js': FILE})
    expect(stream(guard, {edits: [{search: 'return a - b', replace: ''}], path: 'src/q.js'})).toBeUndefined()
  })
})

describe('the loop with the guard, against the vLLM stand-in streaming tool calls (issue 18)', () => {
  const PASSING = {...FIXTURE, 'test.js': "console.log('all tests pass')\n"}
  /** A replacement long enough that most of the answer is still to come when the search goes wrong. */
  const LONG_REPLACE = `export function add(a, b) {\n${'  // keeps the sum exact for every pair of numbers it is given\n'.repeat(8)}  return a + b\n}`
  const streamed = (args: Record<string, unknown>) => ({toolCalls: [{name: 'edit', arguments: JSON.stringify(args)}], delayMs: 2})

  it('stops the answer at the character where a search leaves the file, and tells the model where it came nearest', async () => {
    const wrong = {path: 'src/add.js', edits: [{search: 'export function add(a, b) {\n  return a + b\n}', replace: LONG_REPLACE}]}
    const model = new ScriptedModel([call('read_file', {path: 'src/add.js'}), streamed(wrong), call('finish', {summary: 'left add alone'})])
    const {repo, events, outcome, server} = await run({model, files: PASSING})

    // The client hung up at the "+": most of the answer was never sent.
    const cut = server.chatRequests()[1]!.streamed!
    expect(cut.closedEarly).toBe(true)
    expect(cut.written).toBeLessThan(cut.events / 2)

    const next = model.requests[2]!.messages
    const asked = next.at(-2) as {role: string; tool_calls: {id: string; function: {name: string; arguments: string}}[]}
    expect(asked.role).toBe('assistant')
    expect(JSON.parse(asked.tool_calls[0]!.function.arguments)).toEqual({path: 'src/add.js', edits: [{search: 'export function add(a, b) {\n  return a +'}]})
    const told = next.at(-1) as {role: string; tool_call_id: string; content: string}
    expect(told).toMatchObject({role: 'tool', tool_call_id: asked.tool_calls[0]!.id})
    expect(told.content).toContain('edits[0].search is not in src/add.js. At its character 40, "+" (after "export function add(a, b) {\\n  return a ")')
    expect(told.content).toContain(['  1 | export function add(a, b) {', '> 2 |   return a - b', '  3 | }'].join('\n'))

    const result = events.find((event) => event.type === 'tool_result' && event.tool === 'edit')
    expect(result).toMatchObject({status: 'error'})
    expect(events.some((event) => event.type === 'diff')).toBe(false)
    expect(outcome.status).toBe('done')
    expect(read(repo, 'src/add.js')).toBe(FIXTURE['src/add.js'])
  })

  it('lets a streamed edit whose search is in the file apply as before', async () => {
    const right = {path: 'src/add.js', edits: [{search: 'export function add(a, b) {\n  return a - b\n}', replace: LONG_REPLACE}]}
    const model = new ScriptedModel([streamed(right), call('finish', {summary: 'fixed add'}), verdict('approve')])
    const {repo, outcome, server} = await run({model, files: PASSING})
    expect(server.chatRequests()[0]!.streamed).toMatchObject({closedEarly: false})
    expect(outcome.status).toBe('done')
    expect(read(repo, 'src/add.js')).toBe(`${LONG_REPLACE}\n`)
  })
})
