/**
 * The planner of `--role auto`: one structured LLM call splits the task into sub-tasks, each
 * with a role and the sub-tasks it depends on.
 */
import {z} from 'zod'

import {collectChat} from '../llm/index.js'
import type {ChatUsage, ModelClient} from './ports.js'
import {ROLE_NAMES} from './roles.js'

export const planSchema = z.object({
  subtasks: z
    .array(
      z.object({
        key: z.string().min(1).describe('Short unique id, e.g. "s1"'),
        title: z.string().min(1).describe('What this sub-task must do, self-contained'),
        role: z.enum([...ROLE_NAMES, 'auto']).describe('Who does it; auto splits it further'),
        dependsOn: z.array(z.string()).describe('Keys of the sub-tasks that must finish first'),
      }),
    )
    .min(1)
    .max(12),
})

export type Plan = z.infer<typeof planSchema>
export type PlannedTask = Plan['subtasks'][number]

const PLANNER_PROMPT = [
  'You plan work on a software repository for a team of agents.',
  'Roles: coder (edits code, runs tests), analyst (answers questions, read-only), perf (makes code faster, measured by a benchmark),',
  'legal (audits licences, read-only), cost (edits under a tight budget), auto (a sub-task big enough to be planned again).',
  'Split the task into the fewest self-contained sub-tasks. Sub-tasks that touch different files should not depend on each other,',
  'so they can run in parallel. Never repeat the task itself as a sub-task.',
  'Answer with one JSON object: {"subtasks": [{"key", "title", "role", "dependsOn": [keys]}]}.',
].join('\n')

export async function plan(
  model: ModelClient,
  task: string,
  options: {signal: AbortSignal; taskId: string; instructions: string; onUsage(usage: ChatUsage): void},
): Promise<Plan> {
  const user = options.instructions ? `${task}\n\n# Instructions from the repository\n${options.instructions}` : task
  const {structured, text} = await collectChat(
    model.chat({
      messages: [
        {role: 'system', content: PLANNER_PROMPT},
        {role: 'user', content: user},
      ],
      responseSchema: planSchema,
      signal: options.signal,
      taskId: options.taskId,
    }),
    {onUsage: options.onUsage},
  )
  let candidate = structured
  if (candidate === undefined) {
    try {
      candidate = JSON.parse(text)
    } catch {
      throw new Error(`the planner's answer is not JSON: ${text.slice(0, 200)}`)
    }
  }
  const parsed = planSchema.safeParse(candidate)
  if (!parsed.success) throw new Error(`the planner's answer is not a valid plan: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`)
  return parsed.data
}

/**
 * Orders the plan for execution: the keys of sub-tasks whose dependencies form a cycle, or name
 * a sub-task that does not exist, cannot run and are reported with the reason.
 */
export function validatePlan(subtasks: readonly PlannedTask[]): Map<string, string> {
  const refused = new Map<string, string>()
  const byKey = new Map<string, PlannedTask>()
  for (const subtask of subtasks) {
    if (byKey.has(subtask.key)) refused.set(subtask.key, `duplicate key "${subtask.key}"`)
    else byKey.set(subtask.key, subtask)
  }
  for (const subtask of subtasks) {
    const missing = subtask.dependsOn.filter((key) => !byKey.has(key))
    if (missing.length > 0) refused.set(subtask.key, `depends on unknown sub-task(s) ${missing.join(', ')}`)
  }
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (key: string, path: string[]): void => {
    if (state.get(key) === 'done') return
    if (state.get(key) === 'visiting') {
      const cycle = path.slice(path.indexOf(key))
      for (const member of cycle) refused.set(member, `dependency cycle ${[...cycle, key].join(' → ')}`)
      return
    }
    state.set(key, 'visiting')
    for (const dependency of byKey.get(key)?.dependsOn ?? []) if (byKey.has(dependency)) visit(dependency, [...path, key])
    state.set(key, 'done')
  }
  for (const key of byKey.keys()) visit(key, [])
  return refused
}
