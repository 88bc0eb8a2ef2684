import {Flags} from '@oclif/core'

import {failOnFlag, ReviewCommand} from '../cli/review-command.js'
import {REPORT_FORMATS, formatReport} from '../review/format/index.js'
import {BASELINE_FILE} from '../secrets/baseline.js'
import {recordSecretsBaseline, reviewChange} from '../app/review.js'

export default class Review extends ReviewCommand {
  static override description =
    'Review a change: code metrics of the functions it touches, licences of the dependencies it adds, and secrets in the lines it adds'
  static override examples = [
    '<%= config.bin %> review                      # the staged change, as the pre-commit hook does',
    '<%= config.bin %> review --base origin/main --format sarif > review.sarif',
    '<%= config.bin %> review --fail-on warning',
    '<%= config.bin %> review --baseline            # adopt the hook in a repository that already holds test credentials',
  ]
  static override flags = {
    staged: Flags.boolean({description: 'Review the staged change (the default)', exclusive: ['base']}),
    base: Flags.string({description: 'Review what HEAD adds since its merge base with this ref', exclusive: ['staged']}),
    format: Flags.option({options: REPORT_FORMATS, default: 'text' as const, description: 'Report format on stdout'})(),
    llm: Flags.boolean({description: "Also have the LLM reviewer comment on the diff (needs the endpoint; usage is recorded in .pyagent/state.db)"}),
    baseline: Flags.boolean({
      description: `Record every secret the tracked files hold now as known, in ${BASELINE_FILE}; later reviews report only new ones. Commit the file.`,
      exclusive: ['staged', 'base', 'llm', 'fail-on'],
    }),
    'fail-on': failOnFlag(),
  }

  async run() {
    const {flags} = await this.parse(Review)
    if (flags.baseline) return this.recordBaseline(flags.cwd)
    const report = await reviewChange({cwd: flags.cwd, base: flags.base, failOn: flags['fail-on'], llm: flags.llm})
    if (!this.jsonEnabled()) process.stdout.write(formatReport(report, flags.format, this.config.version))
    if (report.failed) process.exitCode = 1
    return report
  }

  private async recordBaseline(cwd: string | undefined) {
    const report = await recordSecretsBaseline({cwd})
    if (!this.jsonEnabled()) {
      const where = report.files.length === 0 ? '' : ` in ${report.files.length} file(s): ${report.files.join(', ')}`
      this.log(`Recorded ${report.findings} secret(s)${where} as known, in ${report.file} (${report.filesScanned} tracked files scanned).`)
      this.log('Later reviews report only secrets not in it. Commit it so the hook and CI share it; rotate any that are real.')
    }
    return report
  }
}
