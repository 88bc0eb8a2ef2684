/**
 * The search_code tool as the agent meets it: what each hit shows, that a denied file never
 * reaches the model, and that a hit in a file the task has edited says its lines may have moved.
 */
import {describe, expect, it} from 'vitest'

import {run} from './harness.js'
import {call, ScriptedModel, verdict} from './support.js'

const FILES = {
  'src/frame.ts': '/** Reads the header of a network frame. */\nexport function parseHeader(bytes: Uint8Array): number {\n  return bytes[0]!\n}\n',
  'src/store.ts': 'export class Store {\n  get(key: string): string {\n    return key\n  }\n}\n',
  'secrets/keys.ts': 'export function parseHeaderSecret(): string {\n  return "k"\n}\n',
}

function outputs(events: readonly {type: string}[]): string[] {
  return events.filter((event) => event.type === 'tool_result' && (event as {tool?: string}).tool === 'search_code').map((event) => (event as unknown as {output: string}).output)
}

describe('the search_code tool', () => {
  it('prints path:start-end, kind, name and the first lines of each unit, never from a denied file', async () => {
    const model = new ScriptedModel([call('search_code', {query: 'parse header'}), call('search_code', {query: 'zebra quantum'}), call('finish', {summary: 'found'})])
    const {events} = await run({model, files: FILES, denyPaths: ['secrets/**'], role: 'analyst', task: 'where is the header parsed'})
    const [found, nothing] = outputs(events)
    expect(found).toBe(
      'src/frame.ts:1-4 function parseHeader\n    /** Reads the header of a network frame. */\n    export function parseHeader(bytes: Uint8Array): number {\n      return bytes[0]!',
    )
    expect(nothing).toBe('no code matches')
  })

  it('says when a hit is in a file the task has edited or deleted since it was indexed', async () => {
    const model = new ScriptedModel([
      call('write_file', {path: 'src/frame.ts', content: '// moved\n\n/** Reads the header of a network frame. */\nexport function parseHeader(): number {\n  return 0\n}\n'}),
      call('search_code', {query: 'parse header network frame'}),
      call('finish', {summary: 'edited'}),
      verdict('reject', 'not wanted'),
    ])
    const {events} = await run({model, files: FILES, task: 'move the parser'})
    const [afterEdit] = outputs(events)
    expect(afterEdit!.split('\n')[0]).toBe('src/frame.ts:1-4 function parseHeader (edited in this task since it was indexed: read the file for its lines now)')
  })
})
