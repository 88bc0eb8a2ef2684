import {Flags} from '@oclif/core'

import {APPROVAL_MODES} from '../../agent/approval.js'
import {budgetFlags, budgetsOf} from '../../cli/budget-flags.js'
import {FleetCommand} from '../../cli/fleet-command.js'
import {fleetRoleSchema} from '../../fleet/schemas.js'
import {taskPrioritySchema} from '../../state/tasks.js'

export default class TasksSubmit extends FleetCommand {
  static override description = 'Queue a task on the fleet server; it runs in its own worktree and ends as a commit on pyagent/<task-id>'
  static override examples = [
    '<%= config.bin %> tasks submit --task "Fix the off-by-one in src/range.ts" --priority high',
    '<%= config.bin %> tasks submit --task "Upgrade the parser" --branch release-2 --max-cost 2 --json',
  ]

  static override flags = {
    task: Flags.string({char: 't', description: 'What to do', required: true}),
    repository: Flags.string({description: 'The repository (default: the one containing the current directory, or --cwd)'}),
    role: Flags.option({options: fleetRoleSchema.options, default: 'coder' as const, description: 'coder, analyst, perf, legal, cost, or auto'})(),
    priority: Flags.option({options: taskPrioritySchema.options, default: 'normal' as const, description: 'highest runs first; first come first served within one'})(),
    approve: Flags.option({options: APPROVAL_MODES, default: 'edits' as const, description: 'What runs without a person asked (nobody is there to ask: the rest is refused)'})(),
    branch: Flags.string({description: 'Where the task starts (default: the repository\'s HEAD)'}),
    ...budgetFlags,
  }

  async run() {
    const {flags} = await this.parse(TasksSubmit)
    const client = this.fleetClient(flags.server, flags.cwd)
    const task = await client.submit({
      repository: flags.repository ?? this.repoRoot(flags.cwd),
      task: flags.task,
      role: flags.role,
      priority: flags.priority,
      approve: flags.approve,
      budgets: budgetsOf(flags),
      ...(flags.branch ? {branch: flags.branch} : {}),
    })
    this.log(`Queued task ${task.id} (${task.priority}); follow it with \`pyagent tasks events ${task.id}\`.`)
    return task
  }
}
