/**
 * Tool calls for a model without a tool-call format of its own: the tools are described in the
 * system prompt, and the answer is one JSON object decoded under a schema, {"name", "arguments"}
 * for a call or, when the model may choose (tool_choice auto), {"content"} for a text answer.
 */

export interface EngineTool {
  name: string
  description?: string
  parameters?: Record<string, unknown>
}

export interface ToolCall {
  name: string
  arguments: string
}

/** What the model is told about the tools, appended to the system prompt. */
export function toolsInstruction(tools: readonly EngineTool[], mayAnswerText: boolean): string {
  const catalogue = tools.map((tool) => `- ${tool.name}: ${tool.description ?? ''} Parameters: ${JSON.stringify(tool.parameters ?? EMPTY_OBJECT)}`)
  const answer = mayAnswerText
    ? 'Answer with one JSON object: {"name": <tool name>, "arguments": {…}} to call a tool, or {"content": <text>} to answer without one.'
    : 'Answer with one JSON object that calls a tool: {"name": <tool name>, "arguments": {…}}.'
  return ['Tools:', ...catalogue, answer].join('\n')
}

const EMPTY_OBJECT = {type: 'object', properties: {}}

/** The schema of the answer: a call of one of `tools`, or (when the model may answer in text) {"content": string}. */
export function toolAnswerSchema(tools: readonly EngineTool[], mayAnswerText: boolean): Record<string, unknown> {
  const variants: Record<string, unknown>[] = tools.map((tool) => ({
    type: 'object',
    properties: {name: {const: tool.name}, arguments: tool.parameters ?? EMPTY_OBJECT},
    required: ['name', 'arguments'],
    additionalProperties: false,
  }))
  if (mayAnswerText) variants.push({type: 'object', properties: {content: {type: 'string'}}, required: ['content'], additionalProperties: false})
  return variants.length === 1 ? variants[0]! : {oneOf: variants}
}

/** The answer as a call or as text; text that is neither (possible only with the masks off) stays as it is. */
export function readToolAnswer(text: string): {call: ToolCall} | {text: string} {
  let answer: {name?: unknown; arguments?: unknown; content?: unknown}
  try {
    answer = JSON.parse(text) as typeof answer
  } catch {
    return {text}
  }
  if (typeof answer.name === 'string') return {call: {name: answer.name, arguments: JSON.stringify(answer.arguments ?? {})}}
  if (typeof answer.content === 'string') return {text: answer.content}
  return {text}
}

/** An earlier call in the conversation, written the way the model answers. */
export function formatToolCall(call: ToolCall): string {
  return JSON.stringify({name: call.name, arguments: JSON.parse(call.arguments || '{}')})
}
