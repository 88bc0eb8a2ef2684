import {Flags} from '@oclif/core'

import {APPROVAL_MODES} from '../agent/approval.js'
import {ROLE_NAMES} from '../agent/roles.js'
import {BaseCommand} from '../cli/base.js'
import {budgetFlags, budgetsOf} from '../cli/budget-flags.js'
import {writeJsonLine} from '../cli/json-lines.js'
import {INTERRUPTED_EXIT, withStopSignals} from '../cli/stop-signals.js'
import {taskText} from '../cli/stdin.js'
import {isPyAgentError} from '../errors.js'
import {taskPrioritySchema} from '../state/tasks.js'
import {taskOutput} from '../ui/task-output.js'

export default class Run extends BaseCommand {
  static override needsState = true
  static override description = [
    'Run an autonomous agent on a task in this repository.',
    '',
    'Edits are staged in one transaction and written only after the tests and a review pass.',
    'With no server answering, it runs on the embedded model when one is cached (`pyagent model pull`).',
    'Exit codes: 0 done, 1 failed (or no endpoint answered and no model is cached), 2 a budget ran out, 3 rejected by review, 130 interrupted (Ctrl-C; nothing is written).',
  ].join('\n')

  static override examples = [
    '<%= config.bin %> run --task "Fix the off-by-one in src/range.ts and add a test"',
    'echo "Why is the cache never hit?" | <%= config.bin %> run --role analyst',
    '<%= config.bin %> run --role auto --task "Upgrade the parser and its callers" --max-cost 2',
    '<%= config.bin %> run --json --approve all --task "Rename getCwd to currentDir" > events.ndjson',
  ]

  static override flags = {
    task: Flags.string({char: 't', description: 'What to do (default: read from stdin)'}),
    priority: Flags.option({options: taskPrioritySchema.options, default: 'normal' as const, description: 'Priority recorded with the task'})(),
    role: Flags.option({
      options: [...ROLE_NAMES, 'auto'] as const,
      default: 'coder' as const,
      description: 'coder, analyst (read-only), perf, legal (licences), cost (budget-minded), or auto (plan sub-tasks)',
    })(),
    ...budgetFlags,
    approve: Flags.option({
      options: APPROVAL_MODES,
      default: 'edits' as const,
      description: 'What runs without asking: none, edits (default: ask for commands outside the allow-list, and without bubblewrap for any over the edits a task staged), commands, all',
    })(),
    commit: Flags.boolean({allowNo: true, description: 'Commit the change to git on success (default: config autoCommit)'}),
    memory: Flags.boolean({
      allowNo: true,
      description: 'Give the task the repository map and the learned facts that bear on it, and learn from its checks (default: config memory); --no-memory for a run on the task text alone',
    }),
  }

  override logJson(json: unknown): void {
    writeJsonLine(json)
  }

  async run() {
    const {flags} = await this.parse(Run)
    const task = await taskText(flags.task)
    const root = this.repoRoot(flags.cwd)
    const {config} = this.resolveConfig(root, {
      ...budgetsOf(flags),
      autoCommit: flags.commit,
      memory: flags.memory,
    })
    const json = this.jsonEnabled()
    const interactive = !json && Boolean(process.stdout.isTTY && process.stdin.isTTY)
    const write = (text: string) => process.stdout.write(text)
    const writeError = (text: string) => process.stderr.write(text)
    try {
      await withStopSignals(async (signal) => {
        try {
          // The agent, its client and the UI load only now: a missing server is reported before they would.
          const {executeTask} = await import('../app/run.js')
          const output = await taskOutput(json ? 'json' : interactive ? 'tui' : 'plain', write, writeError)
          const request = {task, role: flags.role, priority: flags.priority, approve: flags.approve, gitCommit: config.autoCommit}
          const run = await executeTask(root, config, request, output, {embedded: true, signal})
          if (run.commit && !json) writeError(`git commit ${run.commit}\n`)
          process.exitCode = run.exitCode
        } catch (error) {
          if (signal.aborted) process.exitCode = INTERRUPTED_EXIT
          else throw error
        }
      })
    } catch (error) {
      if (!isPyAgentError(error, 'E_NO_ENDPOINT')) throw error
      // One paragraph, unwrapped, on stderr: oclif's error formatting would break it into prefixed lines.
      writeError(`${error.message}\n`)
      process.exitCode = 1
    }
  }
}
