/**
 * `review --llm`: the reviewer role reads the diff and comments, answering in a zod schema the
 * server is constrained to and the client validates. Lines that look like secrets are withheld
 * from the prompt, and comments about files the change does not touch are dropped.
 */
import {z} from 'zod'

import {collectChat, type LlmClient} from '../llm/index.js'
import {type ChangeSet, contextDiff} from './changes.js'
import type {Finding} from './findings.js'
import {lineIndexAt, lineStarts, type SecretDetector} from './secrets.js'

/** Keeps the prompt well inside a small model's context; the reviewer is told when it was cut. */
export const MAX_DIFF_CHARS = 60_000

export const reviewerAnswerSchema = z.object({
  findings: z
    .array(
      z.object({
        path: z.string().describe('Repository-relative path of a file the diff changes'),
        line: z.int().positive().nullable().describe('Line in the new version of the file, or null for the whole file'),
        severity: z.enum(['error', 'warning', 'note']).describe('error: a bug or security hole; warning: likely problem; note: suggestion'),
        message: z.string().min(1).max(600).describe('What is wrong and how to fix it, in one or two sentences'),
      }),
    )
    .max(50),
})

export type ReviewerAnswer = z.infer<typeof reviewerAnswerSchema>

const SYSTEM_PROMPT = [
  'You are the reviewer role of PyAgent, a coding agent. You review one change (a unified diff).',
  'Report only concrete problems in the added or changed lines: bugs, security holes, missing error handling,',
  'misleading names or comments, and code that contradicts its surroundings. No praise, no style nits a formatter fixes.',
  'Each finding names a file of the diff and, when it is about one line, that line number in the new version.',
  'Answer with a JSON object {"findings": [...]}; an empty list when the change looks right.',
].join(' ')

/** The diff with every line that looks like a secret replaced, so no credential leaves the machine. */
export function withholdSecrets(diff: string, detect: SecretDetector): string {
  const lines = diff.split('\n')
  const starts = lineStarts(lines)
  const kindsByLine = new Map<number, Set<string>>()
  for (const match of detect(diff)) {
    const line = lineIndexAt(starts, match.index)
    kindsByLine.set(line, (kindsByLine.get(line) ?? new Set()).add(match.kind))
  }
  return lines
    .map((line, index) => {
      const kinds = kindsByLine.get(index)
      return kinds ? `${line[0] ?? ' '}[line withheld by pyagent: looks like a secret (${[...kinds].join(', ')})]` : line
    })
    .join('\n')
}

export async function reviewWithLlm(
  repoRoot: string,
  changes: ChangeSet,
  options: {client: LlmClient; detectSecrets: SecretDetector; signal?: AbortSignal},
): Promise<Finding[]> {
  if (changes.files.length === 0) return []
  let diff = withholdSecrets(await contextDiff(repoRoot, changes), options.detectSecrets)
  if (diff.length > MAX_DIFF_CHARS) diff = `${diff.slice(0, MAX_DIFF_CHARS)}\n[diff cut here by pyagent: review what is above]`
  const result = await collectChat(
    options.client.chat({
      messages: [
        {role: 'system', content: SYSTEM_PROMPT},
        {role: 'user', content: diff},
      ],
      responseSchema: reviewerAnswerSchema,
      temperature: 0,
      ...(options.signal ? {signal: options.signal} : {}),
    }),
  )
  const answer = reviewerAnswerSchema.parse(result.structured)
  const lineCounts = new Map(changes.files.map((file) => [file.path, (changes.after.get(file.path) ?? '').split('\n').length]))
  return answer.findings.flatMap((comment) => {
    const lines = lineCounts.get(comment.path)
    if (lines === undefined) return []
    const line = comment.line !== null && comment.line <= lines ? {line: comment.line} : {}
    return [{ruleId: 'llm/review' as const, severity: comment.severity, path: comment.path, ...line, message: comment.message}]
  })
}
