import {FleetCommand, fleetTaskArg} from '../cli/fleet-command.js'

export default class Cancel extends FleetCommand {
  static override description = 'Cancel a queued or running fleet task: the run stops, and nothing of it is written'
  static override examples = ['<%= config.bin %> cancel 5f0c…', '<%= config.bin %> cancel 5f0c… --json']
  static override args = fleetTaskArg

  async run() {
    const {args, flags} = await this.parse(Cancel)
    const task = await this.fleetClient(flags.server, flags.cwd).cancel(args.task)
    this.log(task.status === 'cancelled' ? `Cancelled task ${task.id}.` : `Cancelling task ${task.id}: its worker is stopping the run.`)
    return task
  }
}
