/** Code search as the app wires it: what leaves for the embeddings endpoint is redacted, and a missing endpoint is said. */
import {describe, expect, it} from 'vitest'

import {embedderFor, searchRepositoryCode} from '../../src/app/code-search.js'
import {configSchema} from '../../src/config/schema.js'
import {fakeEmbeddings} from '../support/embeddings-server.js'
import {tempRepo} from '../support/temp-repo.js'
import {checksummedToken} from '../support/tokens.js'

describe('code search in the app', () => {
  it('redacts secrets in the code and the question before they are embedded, and fuses the rankings', async () => {
    const server = await fakeEmbeddings()
    const token = checksummedToken()
    const repo = tempRepo({'src/publish.ts': `export function publishPackage(): string {\n  return '${token}'\n}\n`})
    const config = configSchema.parse({embeddingsUrl: server.url})
    const report = await searchRepositoryCode(repo.root, config, `publish with ${token}`, {limit: 3})
    expect(report).toMatchObject({method: 'fused', hits: [{name: 'publishPackage'}]})
    expect(report.vectorsUnavailable).toBeUndefined()
    expect(server.inputs.length).toBe(2)
    expect(server.inputs.join('\n')).not.toContain(token)
    expect(server.inputs.join('\n')).toContain('[REDACTED:github-pat]')
  })

  it('says why it ranks by words alone: nothing configured, or an endpoint that does not answer', async () => {
    expect(await embedderFor(configSchema.parse({}))).toEqual({problem: 'no embeddings endpoint is configured (embeddingsUrl)'})
    const server = await fakeEmbeddings()
    await server.close()
    const choice = await embedderFor(configSchema.parse({embeddingsUrl: server.url}))
    expect(choice.embedder).toBeUndefined()
    expect(choice.problem).toMatch(/^the embeddings endpoint did not answer \(LLM connection error at http:\/\/127\.0\.0\.1/)
  })

  it('neither indexes nor shows a file the deny rules refuse', async () => {
    const repo = tempRepo({
      'src/frame.ts': 'export function parseHeader(): number {\n  return 1\n}\n',
      'secrets/keys.ts': 'export function parseHeaderSecret(): string {\n  return "k"\n}\n',
    })
    const report = await searchRepositoryCode(repo.root, configSchema.parse({denyPaths: ['secrets/**']}), 'parse header', {limit: 5})
    expect(report.hits.map((hit) => hit.path)).toEqual(['src/frame.ts'])
    expect(report.index.files).toBe(1)
  })
})
