import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base.js'
import {withStopSignals} from '../../cli/stop-signals.js'

export default class McpServe extends BaseCommand {
  static override description =
    'Serve PyAgent to MCP clients, over stdio or (--http) streamable HTTP at /mcp: tools run (a task: its result, transaction ids and diff), undo, history, show, review, map and memory_search, on this repository'
  static override examples = [
    '<%= config.bin %> mcp serve',
    '<%= config.bin %> mcp serve --http --port 7331',
    '<%= config.bin %> mcp serve --http --host 0.0.0.0    # clients send the token in ~/.config/pyagent/fleet-token',
  ]
  static override flags = {
    http: Flags.boolean({description: 'Serve streamable HTTP instead of stdio', default: false}),
    host: Flags.string({description: 'Address to listen on (with --http); beyond loopback, clients need the bearer token kept in the user config directory (made at first start, as the fleet server\'s)', default: '127.0.0.1'}),
    port: Flags.integer({description: 'Port to listen on (with --http); 0 picks a free one', default: 0, min: 0, max: 65_535}),
  }

  async run() {
    const {flags} = await this.parse(McpServe)
    const root = this.repoRoot(flags.cwd)
    // Loaded here, not at the top: the other mcp commands have no use for the server side of the SDK.
    const {serveMcpOverHttp, serveMcpOverStdio} = await import('../../server/mcp-serve.js')
    if (!flags.http) return serveMcpOverStdio(root, this.config.version)
    const serving = await serveMcpOverHttp(root, this.config.version, {host: flags.host, port: flags.port})
    process.stderr.write(`PyAgent serves MCP at ${serving.url}\n`)
    await withStopSignals(async (signal) => {
      signal.addEventListener('abort', () => serving.stop(), {once: true})
      await serving.done
    })
    return {url: serving.url}
  }
}
