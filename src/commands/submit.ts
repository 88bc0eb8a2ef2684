import {Flags} from '@oclif/core'

import {APPROVAL_MODES} from '../agent/approval.js'
import {fleetExitCode, followTask} from '../app/fleet-follow.js'
import {budgetFlags, budgetsOf} from '../cli/budget-flags.js'
import {FleetCommand} from '../cli/fleet-command.js'
import {writeJsonLine} from '../cli/json-lines.js'
import {INTERRUPTED_EXIT, withStopSignals} from '../cli/stop-signals.js'
import {taskText} from '../cli/stdin.js'
import {fleetRoleSchema} from '../fleet/schemas.js'
import {taskPrioritySchema} from '../state/tasks.js'

export default class Submit extends FleetCommand {
  static override description = [
    'Queue a task on a fleet server (`pyagent serve`); it runs in its own worktree and ends as a commit on pyagent/<task-id>.',
    '',
    'With --wait it follows the task\'s events to its end and exits as `pyagent run` would: 0 done, 1 failed, 2 a budget ran out, 3 rejected by review, 130 cancelled or interrupted.',
    'Ctrl-C while waiting stops only the waiting: the task runs on (`pyagent cancel <id>` stops it).',
  ].join('\n')

  static override examples = [
    '<%= config.bin %> submit --task "Fix the off-by-one in src/range.ts" --priority high',
    'echo "Upgrade the parser" | <%= config.bin %> submit --branch release-2 --max-cost 2 --wait',
    '<%= config.bin %> submit --server http://build-box:7800 --repository https://git.example.com/api.git --task "Fix the flaky test" --json',
  ]

  static override flags = {
    task: Flags.string({char: 't', description: 'What to do (default: read from stdin)'}),
    repository: Flags.string({description: 'The repository, as the server sees it: an absolute path on its machine or a git URL (default: the one containing the current directory, or --cwd)'}),
    role: Flags.option({options: fleetRoleSchema.options, default: 'coder' as const, description: 'coder, analyst (read-only), perf, legal (licences), cost (budget-minded), or auto (plan sub-tasks)'})(),
    priority: Flags.option({options: taskPrioritySchema.options, default: 'normal' as const, description: 'highest runs first; first come first served within one'})(),
    approve: Flags.option({options: APPROVAL_MODES, default: 'edits' as const, description: 'What runs without a person asked (nobody is there to ask: the rest is refused)'})(),
    branch: Flags.string({description: 'Where the task starts (default: the repository\'s HEAD)'}),
    wait: Flags.boolean({description: 'Follow the task to its end and exit with `pyagent run`\'s exit codes'}),
    ...budgetFlags,
  }

  async run() {
    const {flags} = await this.parse(Submit)
    const text = await taskText(flags.task)
    const client = this.fleetClient(flags.server, flags.cwd)
    const task = await client.submit({
      repository: flags.repository ?? this.repoRoot(flags.cwd),
      task: text,
      role: flags.role,
      priority: flags.priority,
      approve: flags.approve,
      budgets: budgetsOf(flags),
      ...(flags.branch ? {branch: flags.branch} : {}),
    })
    if (!flags.wait) {
      this.log(`Queued task ${task.id} (${task.priority}); \`pyagent logs -f ${task.id}\` follows it.`)
      return task
    }
    const json = this.jsonEnabled()
    if (json) writeJsonLine(task)
    else this.log(`Queued task ${task.id} (${task.priority}); following it (Ctrl-C stops following, not the task).`)
    const followed = await withStopSignals(async (signal) => {
      try {
        return await followTask(client, task.id, {
          after: 0,
          signal,
          onEvent: (event) => this.printEvent(event),
        })
      } catch (error) {
        if (signal.aborted) return undefined
        throw error
      }
    })
    if (followed === undefined) {
      process.stderr.write(`Stopped following task ${task.id}; it runs on. \`pyagent logs -f ${task.id}\` follows it again, \`pyagent cancel ${task.id}\` stops it.\n`)
      process.exitCode = INTERRUPTED_EXIT
      return {task: task.id, following: 'stopped'}
    }
    const ended = await client.show(task.id)
    process.exitCode = fleetExitCode(ended)
    if (!json) this.log(`task ${ended.id} ${ended.status}${ended.summary ? `: ${ended.summary}` : ''}${ended.error ? ` (${ended.error})` : ''}`)
    const {patch: _patch, ...summary} = ended
    return summary
  }

  /** Under --wait, --json prints newline-delimited JSON: the queued task, its events, then the ended task. */
  override logJson(json: unknown): void {
    writeJsonLine(json)
  }
}
