/**
 * The critic: before a transaction commits, a separate LLM pass reads the task, the staged diff
 * and the test results, and approves, asks for a revision, or rejects.
 */
import {z} from 'zod'

import {collectChat} from '../llm/index.js'
import type {ChatUsage, ModelClient} from './ports.js'

export const verdictSchema = z.object({
  verdict: z.enum(['approve', 'revise', 'reject']),
  feedback: z.string().describe('Why; for revise, what exactly to change'),
})

export type Verdict = z.infer<typeof verdictSchema>

const CRITIC_PROMPT = [
  'You review a change an agent made to a repository before it is written to disk.',
  'Approve when the diff does the task correctly and the tests (if any) pass.',
  'Ask for a revision when it is close but something specific must change; say exactly what.',
  'Reject when the change is wrong, harmful, or does something other than the task.',
  'Answer with one JSON object: {"verdict": "approve" | "revise" | "reject", "feedback": "…"}.',
].join('\n')

export interface CritiqueInput {
  task: string
  diff: string
  tests: string
  summary: string
}

export async function critique(
  model: ModelClient,
  input: CritiqueInput,
  options: {signal: AbortSignal; taskId: string; onUsage(usage: ChatUsage): void},
): Promise<Verdict> {
  const content = [
    `# Task\n${input.task}`,
    `# The agent's summary\n${input.summary}`,
    `# Staged diff\n${input.diff || '(no changes)'}`,
    `# Tests\n${input.tests}`,
  ].join('\n\n')
  const {structured, text} = await collectChat(
    model.chat({
      messages: [
        {role: 'system', content: CRITIC_PROMPT},
        {role: 'user', content},
      ],
      responseSchema: verdictSchema,
      signal: options.signal,
      taskId: options.taskId,
    }),
    {onUsage: options.onUsage},
  )
  const parsed = verdictSchema.safeParse(structured ?? safeJson(text))
  if (!parsed.success) return {verdict: 'reject', feedback: `the review did not produce a valid verdict: ${text.slice(0, 200)}`}
  return parsed.data
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
