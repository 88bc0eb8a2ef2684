import {Args} from '@oclif/core'

import {FleetCommand} from '../../cli/fleet-command.js'

export default class TasksCancel extends FleetCommand {
  static override description = 'Cancel a queued or running fleet task: the run stops, and nothing of it is written'
  static override examples = ['<%= config.bin %> tasks cancel 5f0c…']
  static override args = {id: Args.string({description: 'The task\'s id', required: true})}

  async run() {
    const {args, flags} = await this.parse(TasksCancel)
    const task = await this.fleetClient(flags.server, flags.cwd).cancel(args.id)
    this.log(task.status === 'cancelled' ? `Cancelled task ${task.id}.` : `Cancelling task ${task.id}: its worker is stopping the run.`)
    return task
  }
}
