/**
 * The schemas the constrained-decoding benches compile: the five-tool call schema an agent
 * turn is constrained by, and the corpus in this folder (handwritten.json, zod-corpus.json).
 */
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {z} from 'zod'

const SCHEMAS_DIR = fileURLToPath(new URL('.', import.meta.url))

const Path = z.string().max(256)
export const ToolCall = z.object({
  thought: z.string(),
  call: z.discriminatedUnion('tool', [
    z.object({
      tool: z.literal('read_file'),
      args: z.object({path: Path, startLine: z.int().min(1).optional(), endLine: z.int().min(1).optional()}),
    }),
    z.object({
      tool: z.literal('write_file'),
      args: z.object({path: Path, content: z.string(), mode: z.enum(['overwrite', 'append', 'create'])}),
    }),
    z.object({
      tool: z.literal('search'),
      args: z.object({
        query: z.string().min(1),
        regex: z.boolean(),
        paths: z.array(Path).max(10),
        limit: z.int().min(1).max(500),
      }),
    }),
    z.object({
      tool: z.literal('run_command'),
      args: z.object({
        command: z.enum(['npm test', 'cargo test', 'pytest', 'go test ./...']),
        timeoutSec: z.int().min(1).max(3600),
        // Not z.record: llguidance rejects the propertyNames zod emits for it.
        env: z.array(z.object({name: z.string(), value: z.string()})).max(8),
      }),
    }),
    z.object({
      tool: z.literal('edit'),
      args: z.object({
        path: Path,
        edits: z.array(z.object({search: z.string(), replace: z.string(), occurrence: z.int().min(0).nullable()})).min(1).max(20),
      }),
    }),
  ]),
})

export interface CorpusEntry {
  /** The file and the schema's index in it, e.g. `zod-corpus.json#17`. */
  name: string
  schema: unknown
}

export function loadCorpus(): CorpusEntry[] {
  return readdirSync(SCHEMAS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => (JSON.parse(readFileSync(join(SCHEMAS_DIR, f), 'utf8')) as unknown[]).map((schema, i) => ({name: `${f}#${i}`, schema})))
}
