/**
 * Which of a server's tools are offered, under which name, and whether a call runs, asks first,
 * or never happens. `include`/`exclude` decide what the model sees; `approval` (per server) and
 * `tools` (per tool, winning) decide allow, ask or deny. A denied tool is not offered at all: a
 * tool the model cannot use only costs prompt.
 */
import type {McpServerConfig, ToolPolicy} from './config.js'

/** OpenAI-compatible servers accept tool names of at most 64 characters from this alphabet. */
const TOOL_NAME_LIMIT = 64

export function namespacedName(server: string, tool: string): string {
  return `${server}__${tool.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, TOOL_NAME_LIMIT)
}

export function toolPolicy(config: McpServerConfig, tool: string): ToolPolicy {
  if (config.include && !config.include.includes(tool)) return 'deny'
  if (config.exclude?.includes(tool)) return 'deny'
  return config.tools?.[tool] ?? config.approval ?? 'ask'
}
