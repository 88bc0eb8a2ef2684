import {listServers} from '../../app/mcp.js'
import {BaseCommand} from '../../cli/base.js'

const APPROVAL_SHOWN = {'not-needed': 'user', approved: 'approved', unapproved: 'NOT APPROVED', changed: 'CHANGED since approved'} as const

export default class McpList extends BaseCommand {
  static override description = 'List the MCP servers configured for this repository and for you, with where each comes from and whether it is approved'
  static override examples = ['<%= config.bin %> mcp list', '<%= config.bin %> mcp list --json']

  async run() {
    const {flags} = await this.parse(McpList)
    const servers = listServers(this.repoRoot(flags.cwd))
    if (!this.jsonEnabled()) {
      for (const server of servers) {
        this.log(`${server.name}  ${server.transport}  ${APPROVAL_SHOWN[server.approval]}  ${server.launch}  (${server.file})`)
      }
      if (servers.length === 0) this.log('No MCP servers configured; add one with `pyagent mcp add`.')
    }
    return {servers}
  }
}
