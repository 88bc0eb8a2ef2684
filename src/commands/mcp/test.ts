import {Args, Flags} from '@oclif/core'

import {testServer} from '../../app/mcp.js'
import {BaseCommand} from '../../cli/base.js'

export default class McpTest extends BaseCommand {
  static override description =
    'Connect to an MCP server, list its tools with their input schemas and policies; --approve approves a server the repository defines (or whose command changed)'
  static override examples = ['<%= config.bin %> mcp test memory', '<%= config.bin %> mcp test fs --approve --json']
  static override args = {name: Args.string({description: 'The server\'s name', required: true})}
  static override flags = {
    approve: Flags.boolean({description: 'Approve the server as it is configured now, then test it', default: false}),
  }

  async run() {
    const {args, flags} = await this.parse(McpTest)
    const report = await testServer(this.repoRoot(flags.cwd), args.name, {approve: flags.approve})
    if (!this.jsonEnabled()) {
      this.log(`${report.server.name} (${report.server.transport}: ${report.server.launch}) answered in ${report.ms} ms with ${report.tools.length} tool(s):`)
      for (const tool of report.tools) {
        this.log(`\n${tool.agentName}  [${tool.policy}]${tool.problem ? `  UNUSABLE: ${tool.problem}` : ''}\n  ${tool.description.replaceAll('\n', '\n  ')}`)
        this.log(`  ${JSON.stringify(tool.inputSchema)}`)
      }
    }
    return report
  }
}
