import {Flags} from '@oclif/core'

import {FleetCommand} from '../../cli/fleet-command.js'
import {FLEET_STATUSES} from '../../fleet/schemas.js'
import {taskPrioritySchema} from '../../state/tasks.js'

export default class TasksList extends FleetCommand {
  static override description = 'List the fleet server\'s tasks, newest first'
  static override examples = ['<%= config.bin %> tasks list', '<%= config.bin %> tasks list --status running --json']
  static override flags = {
    status: Flags.option({options: FLEET_STATUSES, description: 'Only tasks with this status'})(),
    priority: Flags.option({options: taskPrioritySchema.options, description: 'Only tasks of this priority'})(),
    limit: Flags.integer({min: 1, max: 500, default: 50, description: 'How many'}),
  }

  async run() {
    const {flags} = await this.parse(TasksList)
    const tasks = await this.fleetClient(flags.server, flags.cwd).list({status: flags.status, priority: flags.priority, limit: flags.limit})
    for (const task of tasks) this.log(`${task.id}  ${task.status.padEnd(11)} ${task.priority.padEnd(7)} ${task.task.split('\n')[0]!.slice(0, 60)}`)
    if (tasks.length === 0) this.log('No tasks.')
    return {tasks}
  }
}
