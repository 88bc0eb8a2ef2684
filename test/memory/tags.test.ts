/** The native tags through their TypeScript surface: one small file per language, and the files that give none. */
import {describe, expect, it} from 'vitest'

import {blake3, decodeTags, extractTags, type FileTags, type TagsLanguage, tagsLanguageForPath} from '../../src/native.js'

async function tagsOf(source: string | Buffer, language: TagsLanguage): Promise<FileTags> {
  const [extraction] = await extractTags([{source, language}])
  if (extraction!.tags === null) throw new Error(`skipped: ${extraction!.skipped}`)
  return decodeTags(extraction!.tags)
}

async function skipOf(source: string | Buffer, language: TagsLanguage) {
  const [extraction] = await extractTags([{source, language}])
  return {tags: extraction!.tags, skipped: extraction!.skipped}
}

const fixtures: {language: TagsLanguage; path: string; source: string; defines: string[]; uses: string[]}[] = [
  {
    language: 'typescript',
    path: 'src/store.ts',
    source: 'export interface Row { id: string }\nexport function save(row: Row): void {\n  write(row)\n}\n',
    defines: ['Row', 'save'],
    uses: ['Row', 'write'],
  },
  {
    language: 'tsx',
    path: 'src/App.tsx',
    source: 'export function App() {\n  return <main>{view()}</main>\n}\n',
    defines: ['App'],
    uses: ['view'],
  },
  {
    language: 'javascript',
    path: 'lib/index.mjs',
    source: 'export class Queue {\n  push(item) { this.items.add(item) }\n}\n',
    defines: ['Queue', 'push'],
    uses: ['add'],
  },
  {
    language: 'python',
    path: 'pkg/cache.py',
    source: 'class Cache(Base):\n    def get(self, key):\n        return lookup(key)\n',
    defines: ['Cache', 'get'],
    uses: ['Base', 'lookup'],
  },
  {
    language: 'rust',
    path: 'src/lib.rs',
    source: 'pub struct Index;\nimpl Index {\n    pub fn open() -> Index { load() }\n}\n',
    defines: ['Index', 'open'],
    uses: ['Index', 'load'],
  },
  {
    language: 'go',
    path: 'store/store.go',
    source: 'package store\n\ntype Store struct{}\n\nfunc (s *Store) Get() int { return fetch() }\n',
    defines: ['Store', 'Get'],
    uses: ['Store', 'fetch', 'int'],
  },
  {
    language: 'java',
    path: 'src/Cache.java',
    source: 'class Cache {\n  Value get(Key key) { return loader.load(key); }\n}\n',
    defines: ['Cache', 'get'],
    uses: ['Key', 'Value', 'load'],
  },
  {
    language: 'c',
    path: 'src/list.c',
    source: 'struct list { int n; };\nint list_len(struct list *l) {\n  return count(l);\n}\n',
    defines: ['list', 'list_len'],
    uses: ['count', 'list'],
  },
  {
    language: 'cpp',
    path: 'src/cache.hpp',
    source: 'class Cache {\n public:\n  int size() const;\n};\nint Cache::size() const { return detail::count(); }\n',
    defines: ['Cache', 'size'],
    uses: ['count'],
  },
]

describe('tags', () => {
  it.each(fixtures)('$language: definitions with signatures, and references', async ({language, path, source, defines, uses}) => {
    expect(tagsLanguageForPath(path)).toBe(language)
    const tags = await tagsOf(source, language)
    expect([...new Set(tags.definitions.map((definition) => definition.name))]).toEqual(defines)
    expect([...new Set(tags.references.map((reference) => reference.name))].sort()).toEqual(uses)
    for (const definition of tags.definitions) {
      expect(source.split('\n')[definition.line - 1]).toBe(definition.signature.split('\n')[0])
    }
  })

  it('reads a Buffer as the same UTF-8 as a string, and hashes what it parsed', async () => {
    const source = 'def grüße():\n    pass\n'
    expect(await tagsOf(Buffer.from(source), 'python')).toEqual(await tagsOf(source, 'python'))
    const [extraction] = await extractTags([{source, language: 'python'}])
    expect(extraction!.hash).toBe(blake3(source))
  })

  it('answers a batch in order, each file on its own', async () => {
    const files = fixtures.map(({source, language}) => ({source, language}))
    const batch = await extractTags([...files, {source: Buffer.from([0, 1]), language: 'c'}])
    expect(batch).toHaveLength(files.length + 1)
    for (const [index, file] of files.entries()) expect(batch[index]).toEqual((await extractTags([file]))[0])
    expect(batch.at(-1)).toMatchObject({tags: null, skipped: 'binary'})
    expect(() => extractTags([{source: 'x', language: 'cobol' as TagsLanguage}])).toThrow(/unknown language "cobol"/)
  })

  it('skips binary, minified and unparsable content, saying why', async () => {
    expect(await skipOf(Buffer.from([0x64, 0x65, 0x66, 0x00, 0x01]), 'python')).toEqual({tags: null, skipped: 'binary'})
    expect(await skipOf(Buffer.from([0x64, 0xff, 0xfe]), 'python')).toEqual({tags: null, skipped: 'binary'})
    expect(await skipOf(`var a=${'1+'.repeat(5000)}1;`, 'javascript')).toEqual({tags: null, skipped: 'minified'})
    expect(await skipOf(')]}{ ]] ))) ::: ;;; }{\n'.repeat(50), 'python')).toEqual({tags: null, skipped: 'unparsable'})
  })

  it('covers no other file types', () => {
    for (const path of ['README.md', 'Makefile', 'data.json', 'src.ts/notes']) expect(tagsLanguageForPath(path)).toBeNull()
  })
})
