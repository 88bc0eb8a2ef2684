import {Args, Flags} from '@oclif/core'

import {addServer} from '../../app/mcp.js'
import {BaseCommand} from '../../cli/base.js'
import {TOOL_POLICIES} from '../../mcp/config.js'
import {McpConfigError} from '../../mcp/errors.js'

/** `KEY=VALUE` pairs (or `Name: value` for headers) into an object. */
function pairs(entries: readonly string[], separator: '=' | ':'): Record<string, string> {
  const found: Record<string, string> = {}
  for (const entry of entries) {
    const at = entry.indexOf(separator)
    if (at <= 0) throw new McpConfigError(`"${entry}" is not NAME${separator}VALUE`)
    found[entry.slice(0, at).trim()] = entry.slice(at + 1).trim()
  }
  return found
}

export default class McpAdd extends BaseCommand {
  static override description =
    'Add an MCP server: a stdio server by its command (after --), or a streamable HTTP server by --url; written to .pyagent/mcp.json (approved, since you add it), or with --scope user to your own mcp.json'
  static override examples = [
    '<%= config.bin %> mcp add memory -- npx @modelcontextprotocol/server-memory',
    '<%= config.bin %> mcp add docs --url http://127.0.0.1:3001/mcp --header "Authorization: Bearer …" --scope user',
    '<%= config.bin %> mcp add fs --approval allow --exclude write_file -- npx @modelcontextprotocol/server-filesystem .',
  ]
  static override strict = false
  static override args = {name: Args.string({description: 'The server\'s name, the prefix of its tools (server__tool)', required: true})}
  static override flags = {
    url: Flags.string({description: 'A streamable HTTP server\'s url'}),
    header: Flags.string({description: 'An HTTP header, "Name: value" (repeatable)', multiple: true, default: []}),
    env: Flags.string({description: 'An environment variable for a stdio server, KEY=VALUE (repeatable)', multiple: true, default: []}),
    scope: Flags.option({options: ['repository', 'user'] as const, default: 'repository' as const, description: 'Which file to write'})(),
    approval: Flags.option({options: TOOL_POLICIES, description: 'Calls to its tools: allow, ask (default) or deny'})(),
    exclude: Flags.string({description: 'A tool never offered (repeatable)', multiple: true}),
    'timeout-ms': Flags.integer({description: 'Longest wait for one tool call', min: 1}),
  }

  async run() {
    const {args, argv, flags} = await this.parse(McpAdd)
    const command = (argv as string[]).slice(1)
    if (flags.url && command.length > 0) throw new McpConfigError('Give either --url (an HTTP server) or a command after -- (a stdio server), not both')
    if (!flags.url && command.length === 0) throw new McpConfigError('Give the server\'s command after --, or --url for an HTTP server')
    const launch = flags.url ? {url: flags.url, headers: pairs(flags.header, ':')} : {command: command[0], args: command.slice(1), env: pairs(flags.env, '=')}
    const raw = {
      ...launch,
      ...(flags.approval ? {approval: flags.approval} : {}),
      ...(flags.exclude ? {exclude: flags.exclude} : {}),
      ...(flags['timeout-ms'] ? {timeoutMs: flags['timeout-ms']} : {}),
    }
    const server = addServer(this.repoRoot(flags.cwd), {name: args.name, scope: flags.scope, raw})
    if (!this.jsonEnabled()) this.log(`Added MCP server ${server.name} (${server.transport}: ${server.launch}) to ${server.file}`)
    return {server}
  }
}
