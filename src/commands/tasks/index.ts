import {Flags} from '@oclif/core'

import {FleetCommand} from '../../cli/fleet-command.js'
import {FLEET_STATUSES} from '../../fleet/schemas.js'
import {taskPrioritySchema} from '../../state/tasks.js'

export default class Tasks extends FleetCommand {
  static override description = 'List the fleet server\'s tasks, newest first (`tasks show <id>` for one)'
  static override examples = ['<%= config.bin %> tasks', '<%= config.bin %> tasks --status running --json', '<%= config.bin %> tasks --repository /srv/repos/api --priority highest']
  static override flags = {
    status: Flags.option({options: FLEET_STATUSES, description: 'Only tasks with this status'})(),
    priority: Flags.option({options: taskPrioritySchema.options, description: 'Only tasks of this priority'})(),
    repository: Flags.string({description: 'Only tasks of this repository (its path or URL as submitted)'}),
    limit: Flags.integer({min: 1, max: 500, default: 50, description: 'How many'}),
  }

  async run() {
    const {flags} = await this.parse(Tasks)
    const client = this.fleetClient(flags.server, flags.cwd)
    const tasks = await client.list({status: flags.status, priority: flags.priority, repository: flags.repository, limit: flags.limit})
    for (const task of tasks) this.log(`${task.id}  ${task.status.padEnd(11)} ${task.priority.padEnd(7)} ${task.task.split('\n')[0]!.slice(0, 60)}`)
    if (tasks.length === 0) this.log('No tasks.')
    return {tasks}
  }
}
