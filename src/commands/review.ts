import {Flags} from '@oclif/core'

import {ReviewCommand} from '../review/command.js'
import {REPORT_FORMATS, formatReport} from '../review/format/index.js'
import {reviewFromFlags} from '../review/from-flags.js'

export default class Review extends ReviewCommand {
  static override description =
    'Review a change: code metrics of the functions it touches, licences of the dependencies it adds, and secrets in the lines it adds'
  static override examples = [
    '<%= config.bin %> review                      # the staged change, as the pre-commit hook does',
    '<%= config.bin %> review --base origin/main --format sarif > review.sarif',
    '<%= config.bin %> review --fail-on warning',
  ]
  static override flags = {
    staged: Flags.boolean({description: 'Review the staged change (the default)', exclusive: ['base']}),
    base: Flags.string({description: 'Review what HEAD adds since its merge base with this ref', exclusive: ['staged']}),
    format: Flags.option({options: REPORT_FORMATS, default: 'text' as const, description: 'Report format on stdout'})(),
    llm: Flags.boolean({description: "Also have the LLM reviewer comment on the diff (needs the endpoint; usage is recorded in .pyagent/state.db)"}),
    'fail-on': Flags.option({
      options: ['error', 'warning', 'never'] as const,
      description: 'Exit 1 when a finding has this severity or worse (default: config reviewFailOn, else error)',
    })(),
  }

  async run() {
    const {flags} = await this.parse(Review)
    const report = await reviewFromFlags({cwd: flags.cwd, base: flags.base, failOn: flags['fail-on'], llm: flags.llm})
    if (!this.jsonEnabled()) process.stdout.write(formatReport(report, flags.format, this.config.version))
    if (report.failed) process.exitCode = 1
    return report
  }
}
