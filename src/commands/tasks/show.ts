import {Flags} from '@oclif/core'

import {FleetCommand, fleetTaskArg} from '../../cli/fleet-command.js'

export default class TasksShow extends FleetCommand {
  static override description = 'One fleet task: status, attempts, usage and cost, files, branch and commit, and with --patch its change'
  static override examples = ['<%= config.bin %> tasks show 5f0c…', '<%= config.bin %> tasks show 5f0c… --patch > task.patch']
  static override args = fleetTaskArg
  static override flags = {patch: Flags.boolean({description: 'Print the task\'s patch after its summary'})}

  async run() {
    const {args, flags} = await this.parse(TasksShow)
    const task = await this.fleetClient(flags.server, flags.cwd).show(args.task)
    this.log(`task ${task.id}  [${task.status}]  ${task.priority}  attempt ${task.attempts} of ${task.maxAttempts}`)
    this.log(`  ${task.task.split('\n')[0]}`)
    this.log(`  repository ${task.repository}${task.baseCommit ? ` at ${task.baseCommit.slice(0, 12)}` : ''}`)
    if (task.commit) this.log(`  commit ${task.commit.slice(0, 12)} on ${task.branch}: ${task.files.join(', ')}`)
    if (task.summary) this.log(`  ${task.summary}`)
    if (task.error) this.log(`  error: ${task.error}`)
    this.log(`  usage: ${task.usage.tokens} tokens, $${task.usage.costUsd.toFixed(4)}`)
    if (flags.patch && task.patch) this.log(task.patch.trimEnd())
    return task
  }
}
