import {BaseCommand} from '../../cli/base.js'

export default class McpServe extends BaseCommand {
  static override description =
    'Serve PyAgent to MCP clients over stdio: tools run (a task: its result, transaction ids and diff), undo, history, show, review, map and memory_search, on this repository'
  static override examples = [
    '<%= config.bin %> mcp serve',
    'claude mcp add pyagent -- npx pyagent mcp serve --cwd /path/to/repo',
  ]

  async run() {
    const {flags} = await this.parse(McpServe)
    // Loaded here, not at the top: the other mcp commands have no use for the server side of the SDK.
    const {serveMcpOverStdio} = await import('../../server/mcp-serve.js')
    await serveMcpOverStdio(this.repoRoot(flags.cwd), this.config.version)
  }
}
