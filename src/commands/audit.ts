import {Args, Flags} from '@oclif/core'

import {ReviewCommand} from '../cli/review-command.js'
import {formatAudit, runAudit} from '../review/audit.js'

export default class Audit extends ReviewCommand {
  static override description =
    'Code metrics of the whole repository or a folder: totals per language and the most complex functions'
  static override examples = ['<%= config.bin %> audit', '<%= config.bin %> audit src --top 20', '<%= config.bin %> audit --json']
  static override args = {path: Args.string({description: 'Folder to audit (default: the repository root)'})}
  static override flags = {
    top: Flags.integer({description: 'How many of the most complex functions to list', default: 10, min: 0}),
  }

  async run() {
    const {args, flags} = await this.parse(Audit)
    const repoRoot = this.repoRoot(flags.cwd)
    const {config} = this.resolveConfig(repoRoot)
    const report = await runAudit({repoRoot, path: args.path, top: flags.top, maxComplexity: config.reviewMaxComplexity})
    if (!this.jsonEnabled()) this.log(formatAudit(report))
    return report
  }
}
