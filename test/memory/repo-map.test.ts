import {symlinkSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {TokenCounter} from '../../src/llm/tokens.js'
import {mentionsIn} from '../../src/memory/mentions.js'
import {buildRepoMap, type RepoMapRequest} from '../../src/memory/repo-map.js'
import {MAX_TAGGED_FILE_BYTES} from '../../src/memory/tag-index.js'
import {blake3} from '../../src/native.js'
import {openStateAt, type StateDb} from '../../src/state/db.js'
import {cachedTags} from '../../src/state/repo-map.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'

const tokens = new TokenCounter('cl100k_base')
afterAll(() => tokens.free())

/** A small service: retryWithBackoff is used most, recordLatency once, formatReport only by report.ts. */
const FILES: Record<string, string> = {
  'src/retry.ts': 'export function retryWithBackoff(attempts: number): number {\n  return attempts\n}\n',
  'src/store.ts': 'export class Store {\n  get(key: string): string {\n    return key\n  }\n}\nexport function openStore(): Store {\n  return new Store()\n}\n',
  'src/client.ts': "import {retryWithBackoff} from './retry'\nexport function fetchUser(): number {\n  openStore()\n  return retryWithBackoff(3)\n}\n",
  'src/server.ts': 'export function serveRequests(): void {\n  retryWithBackoff(1)\n  recordLatency(5)\n  openStore()\n}\n',
  'src/metrics.ts': 'export function recordLatency(ms: number): void {\n  console.log(ms)\n}\n',
  'src/format.ts': 'export function formatReport(rows: string[]): string {\n  return rows.join()\n}\n',
  'src/report.ts': 'export function printReport(): void {\n  formatReport([])\n}\n',
  'jobs/worker.py': 'from retry import retry_with_backoff\n\ndef run_worker():\n    retry_with_backoff()\n',
  'jobs/retry.py': 'def retry_with_backoff():\n    pass\n',
  'README.md': '# service\n',
}

function request(root: string, extra: Partial<RepoMapRequest> = {}): RepoMapRequest {
  return {root, tokens, tokenBudget: 4096, ...extra}
}

function cache(): StateDb {
  const db = openStateAt(join(tempDir(), 'state.db'))
  return db
}

describe('buildRepoMap', () => {
  it('shows signatures grouped by file, each line with its number', async () => {
    const repo = tempRepo(FILES)
    const map = await buildRepoMap(request(repo.root))
    expect(map.text).toContain('src/retry.ts:\n1│export function retryWithBackoff(attempts: number): number {\n')
    expect(map.text).toContain('jobs/retry.py:\n1│def retry_with_backoff():\n')
    expect(map.files).toContain('src/store.ts')
    expect(map.stats).toMatchObject({files: 9, parsed: 9, cached: 0})
    expect(map.tokens).toBe(tokens.count(map.text))
  })

  it('ranks a definition the task names higher than it ranks without the task', async () => {
    const repo = tempRepo(FILES)
    const position = (map: Awaited<ReturnType<typeof buildRepoMap>>) => map.definitions.findIndex((definition) => definition.name === 'recordLatency')
    const plain = await buildRepoMap(request(repo.root))
    const focused = await buildRepoMap(request(repo.root, {task: 'recordLatency reports the wrong unit'}))
    expect(position(focused)).toBeGreaterThanOrEqual(0)
    expect(position(focused)).toBeLessThan(position(plain))
    const named = await buildRepoMap(request(repo.root, {mentioned: {identifiers: ['recordLatency']}}))
    expect(position(named)).toBe(position(focused))
  })

  it('ranks what the touched files use above the rest', async () => {
    const repo = tempRepo(FILES)
    const plain = await buildRepoMap(request(repo.root))
    const rankOf = (map: typeof plain) => map.definitions.findIndex((definition) => definition.name === 'formatReport')
    expect(rankOf(plain)).toBeGreaterThan(0)
    const touched = await buildRepoMap(request(repo.root, {touched: [join(repo.root, 'src/report.ts')]}))
    expect(rankOf(touched)).toBe(0)
  })

  it('stays within the token budget, showing more as the budget grows, and everything when it can', async () => {
    const repo = tempRepo(FILES)
    const everything = await buildRepoMap(request(repo.root, {tokenBudget: 100_000}))
    let shown = 0
    for (const budget of [0, 1, 15, 30, 60, 120, 100_000]) {
      const map = await buildRepoMap(request(repo.root, {tokenBudget: budget}))
      expect(map.tokens).toBeLessThanOrEqual(budget)
      expect(map.tokens).toBe(map.text === '' ? 0 : tokens.count(map.text))
      expect(map.definitions.length).toBeGreaterThanOrEqual(shown)
      shown = map.definitions.length
      expect(everything.text.startsWith(map.text.split('\n')[0]!)).toBe(true)
    }
    expect(shown).toBe(everything.definitions.length)
    expect(everything.definitions.map((definition) => definition.name)).toEqual(
      expect.arrayContaining(['retryWithBackoff', 'openStore', 'Store', 'get', 'recordLatency', 'formatReport', 'retry_with_backoff']),
    )
    const small = await buildRepoMap(request(repo.root, {tokenBudget: 30}))
    expect(small.definitions.length).toBeGreaterThan(0)
    expect(small.definitions.length).toBeLessThan(everything.definitions.length)
  })

  it('renders the same bytes from the cache as from a fresh parse, whatever order files were written in', async () => {
    const repo = tempRepo(FILES)
    const reversed = tempRepo(Object.fromEntries(Object.entries(FILES).reverse()))
    const db = cache()
    const cold = await buildRepoMap(request(repo.root, {db, task: 'openStore'}))
    const warm = await buildRepoMap(request(repo.root, {db, task: 'openStore'}))
    const other = await buildRepoMap(request(reversed.root, {task: 'openStore'}))
    expect(warm.stats.cached).toBe(9)
    expect(warm.text).toBe(cold.text)
    expect(other.text).toBe(cold.text)
    db.close()
  })

  it('parses again only a file whose content changed, and forgets tags no file has any more', async () => {
    const repo = tempRepo(FILES)
    const db = cache()
    expect((await buildRepoMap(request(repo.root, {db}))).stats).toMatchObject({parsed: 9, cached: 0})
    expect((await buildRepoMap(request(repo.root, {db}))).stats).toMatchObject({parsed: 0, cached: 9})

    const before = FILES['src/metrics.ts']!
    repo.write('src/metrics.ts', `${before}export function recordError(): void {\n  recordLatency(0)\n}\n`)
    const changed = await buildRepoMap(request(repo.root, {db}))
    expect(changed.stats).toMatchObject({parsed: 1, cached: 8})
    expect(changed.text).toContain('export function recordError(): void {')
    expect(cachedTags(db, blake3(before), 'typescript')).toBeUndefined()

    repo.git('add', '-A')
    repo.git('mv', 'src/format.ts', 'src/formatting.ts')
    const renamed = await buildRepoMap(request(repo.root, {db}))
    expect(renamed.stats).toMatchObject({parsed: 0, cached: 9})
    expect(renamed.text).toContain('src/formatting.ts:')
    db.close()
  })

  it('parses again tags made by another version of the tags module', async () => {
    const repo = tempRepo(FILES)
    const db = cache()
    await buildRepoMap(request(repo.root, {db}))
    db.prepare('UPDATE repo_map_tags SET version = version + 1').run()
    expect((await buildRepoMap(request(repo.root, {db}))).stats).toMatchObject({parsed: 9, cached: 0})
    db.close()
  })

  it('skips binary, minified, huge, unparsable and linked files, counts them, and maps the rest', async () => {
    const repo = tempRepo({
      'good.py': 'def survivor():\n    pass\n',
      'blob.py': 'def hidden():\n    pass\n\0\0\0',
      'bundle.min.js': `function a(){${'b();'.repeat(3000)}}`,
      'huge.ts': `export const x = 1\n${'// filler line\n'.repeat(Math.ceil(MAX_TAGGED_FILE_BYTES / 15))}`,
      'broken.py': ')]}{ ]] ))) ::: ;;; }{\n'.repeat(50),
    })
    const outside = join(tempDir(), 'outside.ts')
    symlinkSync(outside, join(repo.root, 'linked.ts'))
    const db = cache()
    for (const round of ['cold', 'warm']) {
      const map = await buildRepoMap(request(repo.root, {db}))
      expect(map.stats.skipped, round).toEqual({binary: 1, minified: 1, unparsable: 1, tooLarge: 1, unreadable: 1})
      expect(map.definitions.map((definition) => definition.name)).toEqual(['survivor'])
    }
    db.close()
  })

  it('fails with E_MAP naming the file when cached tags were altered outside PyAgent', async () => {
    const repo = tempRepo(FILES)
    const db = cache()
    await buildRepoMap(request(repo.root, {db}))
    db.prepare('UPDATE repo_map_tags SET tags = ? WHERE hash = ?').run('[[["cut', blake3(FILES['src/metrics.ts']!))
    await expect(buildRepoMap(request(repo.root, {db}))).rejects.toMatchObject({code: 'E_MAP', message: expect.stringMatching(/src\/metrics\.ts.*state\.db aside/)})
    db.close()
  })

  it('fails with E_MAP for a directory that does not exist', async () => {
    await expect(buildRepoMap(request(join(tempDir(), 'missing')))).rejects.toMatchObject({code: 'E_MAP'})
  })
})

describe('mentionsIn', () => {
  const paths = ['src/memory/render.ts', 'src/app/render.ts', 'src/agent/loop.ts', 'bin/run', 'src/repo_map.py']

  it('finds files by path, or by a distinctive name only one file has', () => {
    expect(mentionsIn('Fix `src/memory/render.ts`, then loop.ts and repo_map.py.', paths).files).toEqual([
      'src/agent/loop.ts',
      'src/memory/render.ts',
      'src/repo_map.py',
    ])
    expect(mentionsIn('render.ts is shared; run it', paths).files).toEqual([])
  })

  it('takes every word as a possible identifier', () => {
    expect(mentionsIn('make retryWithBackoff (in retry.ts) honour max_attempts', paths).identifiers).toEqual(
      expect.arrayContaining(['retryWithBackoff', 'retry', 'ts', 'max_attempts', 'honour']),
    )
  })
})
