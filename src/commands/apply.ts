import {applyFleetTask} from '../app/fleet-apply.js'
import {FleetCommand, fleetTaskArg} from '../cli/fleet-command.js'

export default class Apply extends FleetCommand {
  static override needsState = true
  static override description = [
    'Bring a finished fleet task\'s change into this working tree, in one transaction: it lands whole or not at all.',
    '`pyagent undo <tx>` takes it out again, like any task\'s edits.',
  ].join('\n')

  static override examples = ['<%= config.bin %> apply 5f0c…', '<%= config.bin %> apply 5f0c… --json']
  static override args = fleetTaskArg

  async run() {
    const {args, flags} = await this.parse(Apply)
    const root = this.repoRoot(flags.cwd)
    const {config} = this.resolveConfig(root)
    const task = await this.fleetClient(flags.server, flags.cwd).show(args.task)
    const applied = await applyFleetTask(root, config, task)
    this.log(`Applied task ${task.id}: ${applied.files.join(', ')} in transaction ${applied.txId}; \`pyagent undo ${applied.txId}\` takes it out.`)
    return {task: task.id, ...applied}
  }
}
