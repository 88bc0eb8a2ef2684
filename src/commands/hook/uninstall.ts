import {ReviewCommand} from '../../cli/review-command.js'
import {uninstallHook} from '../../review/hook.js'
import {describeHookChange} from '../../review/hook-text.js'

export default class HookUninstall extends ReviewCommand {
  static override description = 'Remove the PyAgent pre-commit hook, restoring the hook that was there before'
  static override examples = ['<%= config.bin %> hook uninstall']

  async run() {
    const {flags} = await this.parse(HookUninstall)
    const change = await uninstallHook(this.repoRoot(flags.cwd))
    if (!this.jsonEnabled()) this.log(describeHookChange(change))
    return change
  }
}
