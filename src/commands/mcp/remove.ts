import {Args, Flags} from '@oclif/core'

import {removeServer} from '../../app/mcp.js'
import {BaseCommand} from '../../cli/base.js'

export default class McpRemove extends BaseCommand {
  static override description = 'Remove an MCP server from .pyagent/mcp.json or your own mcp.json, and forget its approval'
  static override examples = ['<%= config.bin %> mcp remove memory', '<%= config.bin %> mcp remove docs --scope user --json']
  static override args = {name: Args.string({description: 'The server\'s name', required: true})}
  static override flags = {
    scope: Flags.option({options: ['repository', 'user'] as const, description: 'Which file to remove it from (default: the repository\'s, then yours)'})(),
  }

  async run() {
    const {args, flags} = await this.parse(McpRemove)
    const removed = removeServer(this.repoRoot(flags.cwd), args.name, flags.scope)
    if (!this.jsonEnabled()) this.log(`Removed MCP server ${removed.name} from ${removed.file}`)
    return {removed}
  }
}
