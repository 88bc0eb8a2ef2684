/**
 * What a task is given from memory before its first step: the repository map ranked for its
 * text, and the learned facts that bear on it. Built once per task, so every request of the task
 * starts with the same bytes (vLLM's prefix cache keeps them).
 */
import type {TokenCounter} from '../llm/tokens.js'
import type {StateDb} from '../state/db.js'
import {relevantFacts} from './fact-search.js'
import type {MemorySettings} from './facts.js'
import {buildRepoMap} from './repo-map.js'

/** A handful: facts are a sentence or two each, and a prompt with dozens would bury the task. */
export const RECALLED_FACTS = 8

export interface RecallRequest {
  root: string
  db: StateDb
  task: string
  tokens: Pick<TokenCounter, 'count'>
  mapTokens: number
  visible: (path: string) => boolean
  settings: MemorySettings
}

export interface Recalled {
  /** The map ranked for the task; absent with mapTokens 0, or when no file has a definition to show. */
  map?: {text: string; tokens: number; files: number; definitions: number}
  /** Learned facts that bear on the task, most relevant first. */
  facts: {id: number; kind: string; text: string}[]
}

export async function recall(request: RecallRequest): Promise<Recalled> {
  const {root, db, task, tokens, mapTokens, visible, settings} = request
  const facts = relevantFacts(db, task, {limit: RECALLED_FACTS}, settings).map(({id, kind, text}) => ({id, kind, text}))
  if (mapTokens === 0) return {facts}
  const map = await buildRepoMap({root, db, tokens, tokenBudget: mapTokens, task, visible})
  if (map.definitions.length === 0) return {facts}
  return {map: {text: map.text, tokens: map.tokens, files: map.files.length, definitions: map.definitions.length}, facts}
}
