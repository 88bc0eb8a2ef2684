import {ReviewCommand} from '../../cli/review-command.js'
import {installHook} from '../../review/hook.js'
import {describeHookChange} from '../../review/hook-text.js'

export default class HookInstall extends ReviewCommand {
  static override description =
    'Install a git pre-commit hook that runs `pyagent review --staged` (honours core.hooksPath and husky; chains an existing hook)'
  static override examples = ['<%= config.bin %> hook install', 'PYAGENT_SKIP_HOOK=1 git commit  # skip it once']

  async run() {
    const {flags} = await this.parse(HookInstall)
    const change = await installHook(this.repoRoot(flags.cwd))
    if (!this.jsonEnabled()) this.log(describeHookChange(change))
    return change
  }
}
