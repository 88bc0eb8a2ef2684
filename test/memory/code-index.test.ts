import {rmSync, truncateSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'

import {connectEmbeddings} from '../../src/llm/embeddings.js'
import {indexCode} from '../../src/memory/code-index.js'
import {searchCode} from '../../src/memory/code-search.js'
import {embedUnits, vectorModelKey} from '../../src/memory/code-vectors.js'
import {identifierWords} from '../../src/memory/code-words.js'
import {openStateAt, type StateDb} from '../../src/state/db.js'
import {fakeEmbeddings} from '../support/embeddings-server.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'

const FILES: Record<string, string> = {
  'src/frame.ts': '/** Reads the header of a network frame. */\nexport function parseHeader(bytes: Uint8Array): number {\n  return bytes[0]!\n}\n',
  'src/store.ts': 'export class Store {\n  get(key: string): string {\n    return key\n  }\n}\n',
  'jobs/retry.py': 'def retry_with_backoff(attempts):\n    """Waits longer after each failure."""\n    return attempts\n',
  'README.md': '# service\n',
}

function stateDb(): StateDb {
  const db = openStateAt(join(tempDir(), 'state.db'))
  onTestFinished(() => db.close())
  return db
}

function unitIds(db: StateDb, path: string): number[] {
  return (db.prepare('SELECT id FROM code_units WHERE path = ? ORDER BY id').all(path) as {id: number}[]).map(({id}) => id)
}

async function names(db: StateDb, query: string): Promise<string[]> {
  return (await searchCode(db, query, {limit: 5})).hits.map((hit) => hit.name)
}

describe('the code index', () => {
  it('splits identifiers into the words a question uses', () => {
    expect(identifierWords('parseHTTPHeader')).toEqual(['parse', 'http', 'header', 'parsehttpheader'])
    expect(identifierWords('retry_with_backoff')).toEqual(['retry', 'with', 'backoff', 'retrywithbackoff'])
    expect(identifierWords('Store')).toEqual(['store'])
  })

  it('finds camelCase and snake_case names from plain words, and units with their lines', async () => {
    const repo = tempRepo(FILES)
    const db = stateDb()
    const stats = await indexCode(repo.root, db)
    expect(stats).toMatchObject({files: 3, cut: 3, unchanged: 0, dropped: 0, skipped: []})
    expect(await names(db, 'parse header')).toEqual(['parseHeader'])
    expect(await names(db, 'parseheader')).toEqual(['parseHeader'])
    expect((await names(db, 'retry backoff'))[0]).toBe('retry_with_backoff')
    const [hit] = (await searchCode(db, 'network frame', {limit: 1})).hits
    expect(hit).toMatchObject({path: 'src/frame.ts', kind: 'function', name: 'parseHeader', startLine: 1, endLine: 4})
  })

  it('cuts again only the file that changed, and drops deleted files', async () => {
    const repo = tempRepo(FILES)
    const db = stateDb()
    await indexCode(repo.root, db)
    const storeIds = unitIds(db, 'src/store.ts')
    const frameIds = unitIds(db, 'src/frame.ts')
    repo.write('src/frame.ts', 'export function decodeTrailer(): number {\n  return 0\n}\n')
    const second = await indexCode(repo.root, db)
    expect(second).toMatchObject({files: 3, cut: 1, unchanged: 2, dropped: 0})
    expect(unitIds(db, 'src/store.ts')).toEqual(storeIds)
    expect(unitIds(db, 'src/frame.ts')).not.toEqual(frameIds)
    expect(await names(db, 'parse header')).toEqual([])
    expect(await names(db, 'decode trailer')).toEqual(['decodeTrailer'])

    rmSync(join(repo.root, 'src/store.ts'))
    repo.git('rm', '-q', '--cached', 'src/store.ts')
    const third = await indexCode(repo.root, db)
    expect(third).toMatchObject({files: 2, cut: 0, unchanged: 2, dropped: 1})
    expect(await names(db, 'store get key')).toEqual([])
    expect(db.prepare("SELECT count(*) AS n FROM code_files WHERE path = 'src/store.ts'").get()).toEqual({n: 0})
  })

  it('never reads a file the deny rules refuse, and drops it when it was indexed before', async () => {
    const repo = tempRepo({...FILES, 'secrets/keys.ts': 'export function parseHeaderSecret(): string {\n  return "k"\n}\n'})
    const db = stateDb()
    await indexCode(repo.root, db)
    expect(await names(db, 'parse header secret')).toContain('parseHeaderSecret')
    const denied = await indexCode(repo.root, db, {visible: (path) => !path.startsWith('secrets/')})
    expect(denied).toMatchObject({files: 3, dropped: 1})
    expect(await names(db, 'parse header secret')).not.toContain('parseHeaderSecret')
    expect(unitIds(db, 'secrets/keys.ts')).toEqual([])
  })

  it('skips binary, minified, oversized and unparsable files with a reason, and indexes the rest', async () => {
    const repo = tempRepo(FILES)
    repo.write('src/binary.ts', Buffer.from('export function hidden() {}\n\0\x01\x02'))
    repo.write('dist/bundle.js', `function a(){${'b();'.repeat(3000)}}\n`)
    repo.write('src/broken.py', ')]}{ ]] ))) ::: ;;; }{ ]) ((( ]] }}}\n'.repeat(40))
    // Sparse: 50 MB on paper, so the test costs no disk; the index must not read it anyway.
    writeFileSync(repo.write('data/huge.js', ''), '')
    truncateSync(join(repo.root, 'data/huge.js'), 50 * 1024 * 1024)
    const db = stateDb()
    const stats = await indexCode(repo.root, db)
    expect(stats.skipped).toEqual([
      {path: 'data/huge.js', reason: 'tooLarge'},
      {path: 'dist/bundle.js', reason: 'minified'},
      {path: 'src/binary.ts', reason: 'binary'},
      {path: 'src/broken.py', reason: 'unparsable'},
    ])
    expect(await names(db, 'parse header')).toEqual(['parseHeader'])
    // Skipped files are remembered by content, so the next run neither cuts them again nor forgets why they were skipped.
    const again = await indexCode(repo.root, db)
    expect(again).toMatchObject({cut: 0, skipped: stats.skipped})
  })
})

describe('code search with vectors', () => {
  it('embeds each unit once, fuses the two rankings, and falls back to BM25 when the endpoint stops answering', async () => {
    const server = await fakeEmbeddings()
    const repo = tempRepo(FILES)
    const db = stateDb()
    await indexCode(repo.root, db)
    const embedder = await connectEmbeddings({url: server.url, apiKey: 'EMPTY', timeoutMs: 5000})
    expect(embedder.model).toBe('fake-embed')
    expect(await embedUnits(db, embedder)).toEqual({embedded: 4})
    expect(await embedUnits(db, embedder)).toEqual({embedded: 0})

    const fused = await searchCode(db, 'header of a network frame', {limit: 3, embedder})
    expect(fused.method).toBe('fused')
    expect(fused.hits[0]!.name).toBe('parseHeader')
    const vectorsOnly = await searchCode(db, 'failure waits longer', {limit: 1, embedder, only: 'vectors'})
    expect(vectorsOnly).toMatchObject({method: 'vectors', hits: [{name: 'retry_with_backoff'}]})

    // Units go as passages, questions as queries: a retrieval model (E5) embeds the two differently.
    expect(server.inputTypes.slice(0, 4)).toEqual(['passage', 'passage', 'passage', 'passage'])
    expect(server.inputTypes.slice(4)).toEqual(['query', 'query'])
    expect(server.inputs.at(-1)).toBe('failure waits longer')

    await server.close()
    const fallback = await searchCode(db, 'parse header', {limit: 3, embedder})
    expect(fallback.method).toBe('bm25')
    expect(fallback.vectorsUnavailable).toMatch(/embeddings endpoint did not answer/)
    expect(fallback.hits[0]!.name).toBe('parseHeader')
  })
})

describe('what a unit is embedded as', () => {
  it('is its place and head: the doc comment and signature, not the whole of a long body', async () => {
    const body = Array.from({length: 40}, (_, line) => `  total += ${line} // step${line}`).join('\n')
    const server = await fakeEmbeddings()
    const repo = tempRepo({'src/sum.ts': `/** Adds the steps up. */\nexport function sumSteps(): number {\n  let total = 0\n${body}\n  return total\n}\n`})
    const db = stateDb()
    await indexCode(repo.root, db)
    await embedUnits(db, await connectEmbeddings({url: server.url, apiKey: 'EMPTY', timeoutMs: 5000}))
    const [text] = server.inputs
    expect(text).toMatch(/^src\/sum\.ts function sumSteps\n\/\*\* Adds the steps up\. \*\/\nexport function sumSteps\(\): number \{/)
    expect(text).toContain('step0')
    expect(text).not.toContain('step20')
    expect(text!.split('\n')).toHaveLength(13)
  })

  it('is made again when the recipe changes: vectors are stored under the model and the recipe', async () => {
    const server = await fakeEmbeddings()
    const repo = tempRepo(FILES)
    const db = stateDb()
    await indexCode(repo.root, db)
    const embedder = await connectEmbeddings({url: server.url, apiKey: 'EMPTY', timeoutMs: 5000})
    await embedUnits(db, embedder)
    // A vector from before the recipe had a number, stored under the bare model name, is not this recipe's.
    db.prepare("UPDATE code_unit_vectors SET model = 'fake-embed' WHERE unit_id = (SELECT min(unit_id) FROM code_unit_vectors)").run()
    expect(await embedUnits(db, embedder)).toEqual({embedded: 1})
    expect(new Set((db.prepare('SELECT model FROM code_unit_vectors').all() as {model: string}[]).map(({model}) => model))).toEqual(new Set([vectorModelKey('fake-embed')]))
  })
})
