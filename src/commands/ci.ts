import {Flags} from '@oclif/core'

import {ReviewCommand} from '../review/command.js'
import {runCi} from '../review/ci.js'
import {formatText} from '../review/format/text.js'

export default class Ci extends ReviewCommand {
  static override description =
    'Review what a pull request adds (HEAD since its merge base) and write SARIF, JUnit XML and a GitHub step summary'
  static override examples = [
    '<%= config.bin %> ci --base origin/main',
    'GITHUB_BASE_REF=main <%= config.bin %> ci --sarif pyagent.sarif --fail-on warning',
  ]
  static override flags = {
    base: Flags.string({description: 'Ref to compare with (default: origin/$GITHUB_BASE_REF, else $GITHUB_BASE_REF)'}),
    sarif: Flags.string({description: 'Write SARIF 2.1.0 here', default: 'pyagent-review.sarif'}),
    junit: Flags.string({description: 'Write JUnit XML here', default: 'pyagent-review.junit.xml'}),
    'fail-on': Flags.option({
      options: ['error', 'warning', 'never'] as const,
      description: 'Exit 1 when a finding has this severity or worse (default: config reviewFailOn, else error)',
    })(),
  }

  async run() {
    const {flags} = await this.parse(Ci)
    const repoRoot = this.repoRoot(flags.cwd)
    const {config} = this.resolveConfig(repoRoot, {reviewFailOn: flags['fail-on']})
    const result = await runCi({
      repoRoot,
      config,
      base: flags.base,
      env: process.env,
      sarifPath: flags.sarif,
      junitPath: flags.junit,
      toolVersion: this.config.version,
    })
    if (!this.jsonEnabled()) {
      this.log(formatText(result.report))
      for (const path of result.written) this.log(`wrote ${path}`)
    }
    if (result.report.failed) process.exitCode = 1
    return result
  }
}
