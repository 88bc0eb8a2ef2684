/**
 * Code search, wired once for `pyagent memory search --code` and the agent's search_code tool:
 * the code index brought up to date, the embeddings endpoint connected when one is configured
 * and answers (new units embedded), then the search. Without an endpoint the search ranks by
 * words alone, and the result says why.
 */
import type {Config} from '../config/schema.js'
import {connectEmbeddings} from '../llm/embeddings.js'
import {type CodeIndexStats, indexCode} from '../memory/code-index.js'
import {type CodeSearchResult, searchCode} from '../memory/code-search.js'
import {type Embedder, embedUnits} from '../memory/code-vectors.js'
import {checkMapRoot, type IndexProgress} from '../memory/repo-map.js'
import {redactText} from '../secrets/redact.js'
import {openState, type StateDb} from '../state/db.js'
import {PathGuard} from '../workspace/paths.js'

export interface CodeSearchReport extends CodeSearchResult {
  query: string
  index: CodeIndexStats
}

export interface EmbedderChoice {
  embedder?: Embedder
  /** Why there is none: not configured, or the endpoint did not answer. */
  problem?: string
}

/**
 * The configured embeddings endpoint, connected, or why code search goes without one. What it is
 * sent (code, questions) leaves the machine as a prompt does, so it is redacted first.
 */
export async function embedderFor(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<EmbedderChoice> {
  if (config.embeddingsUrl === undefined) return {problem: 'no embeddings endpoint is configured (embeddingsUrl)'}
  try {
    const endpoint = await connectEmbeddings({
      url: config.embeddingsUrl,
      model: config.embeddingsModel,
      apiKey: env[config.apiKeyEnv] || 'EMPTY',
      timeoutMs: config.requestTimeoutMs,
    })
    const redact = (text: string) => redactText(text, {allow: config.redactAllow})
    return {embedder: {model: endpoint.model, embed: async (texts, input) => endpoint.embed(await Promise.all(texts.map(redact)), input)}}
  } catch (error) {
    return {problem: `the embeddings endpoint did not answer (${error instanceof Error ? error.message : String(error)})`}
  }
}

/**
 * Indexes what changed, embeds what has no vector, and searches. A problem with the vectors
 * (none configured, the endpoint failing) leaves the words' ranking, and is reported.
 */
export async function searchIndexedCode(
  root: string,
  db: StateDb,
  query: string,
  options: {limit: number; admit?: (path: string) => boolean; choice: EmbedderChoice; onProgress?: (progress: IndexProgress) => void},
): Promise<CodeSearchReport> {
  const index = await indexCode(root, db, {onProgress: options.onProgress, visible: options.admit})
  const {embedder, problem} = options.choice
  const embedding = embedder ? await embedUnits(db, embedder) : undefined
  const usable = embedding?.problem === undefined ? embedder : undefined
  const result = await searchCode(db, query, {limit: options.limit, admit: options.admit, embedder: usable})
  const vectorsUnavailable = problem ?? embedding?.problem ?? result.vectorsUnavailable
  return {query, index, ...result, ...(vectorsUnavailable === undefined ? {} : {vectorsUnavailable})}
}

/** `pyagent memory search --code`: the repository's state opened for this one search; denied files are neither indexed nor shown. */
export async function searchRepositoryCode(
  root: string,
  config: Config,
  query: string,
  options: {limit: number; onProgress?: (progress: IndexProgress) => void},
): Promise<CodeSearchReport> {
  checkMapRoot(root)
  const guard = new PathGuard(root, config.denyPaths)
  const choice = await embedderFor(config)
  const db = openState(root)
  try {
    return await searchIndexedCode(root, db, query, {...options, admit: (path) => guard.refusal(path) === undefined, choice})
  } finally {
    db.close()
  }
}
