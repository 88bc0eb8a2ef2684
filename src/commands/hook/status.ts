import {ReviewCommand} from '../../cli/review-command.js'
import {hookStatus} from '../../review/hook.js'
import {describeHookStatus} from '../../review/hook-text.js'

export default class HookStatus extends ReviewCommand {
  static override description = 'Show whether the PyAgent pre-commit hook is installed, and where git runs hooks from'
  static override examples = ['<%= config.bin %> hook status', '<%= config.bin %> hook status --json']

  async run() {
    const {flags} = await this.parse(HookStatus)
    const status = await hookStatus(this.repoRoot(flags.cwd))
    if (!this.jsonEnabled()) this.log(describeHookStatus(status))
    return status
  }
}
