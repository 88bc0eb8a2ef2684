/**
 * The system prompt. It is built once per task and never changes afterwards, and the tool list
 * is one array reused for every request: byte-identical prefixes let vLLM's prefix cache serve
 * the whole head of every prompt after the first.
 */
import {z} from 'zod'

import type {Recalled} from '../memory/recall.js'
import type {ToolDefinition} from './ports.js'
import type {Role} from './roles.js'
import type {Tool} from './tools/index.js'

export type ActionProtocol = 'tools' | 'json'

const RULES = [
  'Work only through the tools. Paths are relative to the repository root.',
  'Edits are staged in a transaction: nothing reaches the files until you call finish and the change passes the tests and a review.',
  'When the task is done (or cannot be done), call finish with a short summary.',
]

const JSON_PROTOCOL = [
  'Answer every turn with exactly one JSON object and nothing else: {"tool": <tool name>, "arguments": {…}}.',
  'The result of the tool comes back in the next user message.',
]

function argumentSchema(tool: Tool): Record<string, unknown> {
  return tool.parameters ?? (z.toJSONSchema(tool.schema) as Record<string, unknown>)
}

export function toolDefinitions(tools: readonly Tool[]): ToolDefinition[] {
  return tools.map((tool) => ({
    type: 'function',
    function: {name: tool.name, description: tool.description, parameters: argumentSchema(tool)},
  }))
}

/** The JSON-actions protocol: one object naming a tool and its arguments, each tool's arguments checked by its own schema. */
/** `narrowed` replaces some tools' argument schemas for one request (see editArgumentsFor). */
export function actionSchema(tools: readonly Tool[], narrowed: ReadonlyMap<string, z.ZodType> = new Map()): z.ZodType<{tool: string; arguments: Record<string, unknown>}> {
  const options = tools.map((tool) =>
    z.object({tool: z.literal(tool.name), arguments: narrowed.get(tool.name) ?? tool.schema}),
  ) as unknown as [z.ZodObject, z.ZodObject, ...z.ZodObject[]]
  return (options.length === 1 ? options[0] : z.discriminatedUnion('tool', options)) as unknown as z.ZodType<{
    tool: string
    arguments: Record<string, unknown>
  }>
}

export function systemPrompt(options: {role: Role; protocol: ActionProtocol; instructions: string; tools: readonly Tool[]}): string {
  const parts = [options.role.prompt, RULES.join('\n')]
  if (options.protocol === 'json') {
    const catalogue = options.tools.map((tool) => `- ${tool.name}: ${tool.description} Arguments: ${JSON.stringify(argumentSchema(tool))}`)
    parts.push([...JSON_PROTOCOL, 'Tools:', ...catalogue].join('\n'))
  }
  if (options.instructions) parts.push(`# Instructions from the repository\n\n${options.instructions}`)
  return parts.join('\n\n')
}

/**
 * The task as the first user message. What memory gave it comes first and the task last, where a
 * small model attends most; the whole message is fixed for the task, so it stays in the prefix
 * vLLM caches between its requests.
 */
export function taskMessage(task: string, recalled: Recalled): string {
  const parts: string[] = []
  if (recalled.map) {
    parts.push(`# Repository map\nThe definitions most related to this task, best first: each file, then its lines as "line│signature". Read a file before you edit it.\n\n${recalled.map.text}`)
  }
  if (recalled.facts.length > 0) {
    parts.push(`# What earlier tasks here learned\nThey may be out of date: check one before you rely on it.\n${recalled.facts.map((fact) => `- ${fact.text}`).join('\n')}`)
  }
  if (parts.length === 0) return task
  parts.push(`# Task\n${task}`)
  return parts.join('\n\n')
}
