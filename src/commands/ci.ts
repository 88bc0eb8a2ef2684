import {Flags} from '@oclif/core'

import {failOnFlag, ReviewCommand} from '../cli/review-command.js'
import {withStopSignals} from '../cli/stop-signals.js'
import {isPyAgentError} from '../errors.js'
import {runCi} from '../review/ci.js'
import {formatText} from '../review/format/text.js'
import {taskOutput} from '../ui/task-output.js'

export default class Ci extends ReviewCommand {
  static override description =
    'Review what a pull request adds (HEAD since its merge base) and write SARIF, JUnit XML and a GitHub step summary'
  static override examples = [
    '<%= config.bin %> ci --base origin/main',
    'GITHUB_BASE_REF=main <%= config.bin %> ci --sarif pyagent.sarif --fail-on warning',
    '<%= config.bin %> ci --base origin/main --fix --patch-file pyagent-fix.patch',
  ]
  static override flags = {
    base: Flags.string({description: 'Ref to compare with (default: origin/$GITHUB_BASE_REF, else $GITHUB_BASE_REF)'}),
    sarif: Flags.string({description: 'Write SARIF 2.1.0 here', default: 'pyagent-review.sarif'}),
    junit: Flags.string({description: 'Write JUnit XML here', default: 'pyagent-review.junit.xml'}),
    'fail-on': failOnFlag(),
    fix: Flags.boolean({
      description:
        'Run an agent task on the findings (as `pyagent run` would, needs an endpoint): the fixes stay in the working tree, uncommitted, and are written to --patch-file; nothing is pushed',
    }),
    'patch-file': Flags.string({description: 'Where --fix writes its patch', default: 'pyagent-fix.patch'}),
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
    if (!flags.fix) return result
    // The agent's progress goes to stderr: stdout carries the report (and --json's one document).
    const writeError = (text: string) => process.stderr.write(text)
    // Loaded only for --fix: the agent's modules are slow to import.
    const {fixFindings} = await import('../app/fix.js')
    const output = await taskOutput('plain', writeError, writeError)
    const fix = await withStopSignals((signal) =>
      fixFindings({repoRoot, config, report: result.report, patchPath: flags['patch-file'], output, signal}),
    ).catch((error: unknown) => {
      if (isPyAgentError(error, 'E_NO_ENDPOINT')) this.error(error.message, {exit: 1})
      throw error
    })
    if (!this.jsonEnabled()) {
      this.log(fix.patch ? `wrote ${fix.patch} (${fix.files.length} file(s); undo with \`pyagent undo ${fix.taskId}\`)` : `--fix: ${fix.status}, no patch`)
    }
    if (fix.exitCode !== 0) process.exitCode = fix.exitCode
    return {...result, fix}
  }
}
