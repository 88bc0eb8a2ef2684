import {Args, Flags} from '@oclif/core'

import {writeJsonLine} from '../../cli/json-lines.js'
import {FleetCommand} from '../../cli/fleet-command.js'
import {withStopSignals} from '../../cli/stop-signals.js'
import {fleetEventLine} from '../../ui/fleet-event.js'

export default class TasksEvents extends FleetCommand {
  static override description = 'Follow a fleet task\'s events until it ends (each numbered; --after resumes after a number)'
  static override examples = ['<%= config.bin %> tasks events 5f0c…', '<%= config.bin %> tasks events 5f0c… --after 40 --json']
  static override args = {id: Args.string({description: 'The task\'s id', required: true})}
  static override flags = {after: Flags.integer({min: 0, default: 0, description: 'Start after this event number'})}

  /** --json prints newline-delimited JSON: one event per line, then how the task ended. */
  override logJson(json: unknown): void {
    writeJsonLine(json)
  }

  async run() {
    const {args, flags} = await this.parse(TasksEvents)
    const client = this.fleetClient(flags.server, flags.cwd)
    const json = this.jsonEnabled()
    const ended = await withStopSignals((signal) =>
      client.events(args.id, {
        after: flags.after,
        signal,
        onEvent: (event) => {
          const line = json ? JSON.stringify(event) : fleetEventLine(event)
          if (line) process.stdout.write(`${line}\n`)
        },
      }),
    )
    if (!json) this.log(`task ${args.id} ${ended}`)
    return {ended}
  }
}
