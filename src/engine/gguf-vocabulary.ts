/**
 * The native token index needs the model's own vocabulary: it is read from the GGUF's
 * metadata (tokenizer.ggml.tokens/token_type) and handed to native/ as a tokenizer.json. Byte-level
 * BPE (GGUF model "gpt2": SmolLM2, Qwen, Llama 3) is marked ByteLevel; SentencePiece ("llama":
 * Gemma, Llama 2, Mistral) is left unmarked, which native/ reads as `▁` for a space and `<0xNN>`
 * byte-fallback tokens.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {Vocabulary} from '../llm/structured/index.js'
import {ModelError} from './errors.js'

/** GGUF token_type 3 marks control tokens (<|im_end|> etc.), which are added, not byte-level text. */
const CONTROL_TOKEN = 3

interface GgufTokenizer {
  model?: string
  tokens?: readonly string[]
  token_type?: readonly number[]
  eos_token_id?: number
}

export async function readGgufVocabulary(modelPath: string): Promise<Vocabulary> {
  const {readGgufFileInfo} = await import('node-llama-cpp')
  const info = await readGgufFileInfo(modelPath, {readTensorInfo: false})
  const tokenizer = (info.metadata as {tokenizer?: {ggml?: GgufTokenizer}}).tokenizer?.ggml
  if ((tokenizer?.model !== 'gpt2' && tokenizer?.model !== 'llama') || !tokenizer.tokens) {
    throw new ModelError(
      `${modelPath} has a "${tokenizer?.model ?? 'unknown'}" tokenizer; constrained decoding supports byte-level BPE (gpt2) and SentencePiece (llama) vocabularies.`,
    )
  }
  const vocab: Record<string, number> = {}
  const added: {id: number; content: string; special: boolean}[] = []
  tokenizer.tokens.forEach((token, id) => {
    if (tokenizer.token_type?.[id] === CONTROL_TOKEN) added.push({id, content: token, special: true})
    else vocab[token] = id
  })
  const eos = tokenizer.eos_token_id === undefined ? undefined : tokenizer.tokens[tokenizer.eos_token_id]
  const dir = await mkdtemp(join(tmpdir(), 'pyagent-vocab-'))
  try {
    const path = join(dir, 'tokenizer.json')
    const byteLevel = tokenizer.model === 'gpt2' ? {pre_tokenizer: {type: 'ByteLevel'}} : {}
    await writeFile(path, JSON.stringify({...byteLevel, model: {type: 'BPE', vocab}, added_tokens: added}))
    return Vocabulary.tokenizerJson(path, eos)
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}
