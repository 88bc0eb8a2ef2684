import {Flags} from '@oclif/core'

import {followTask} from '../app/fleet-follow.js'
import {FleetCommand, fleetTaskArg} from '../cli/fleet-command.js'
import {writeJsonLine} from '../cli/json-lines.js'
import {INTERRUPTED_EXIT, withStopSignals} from '../cli/stop-signals.js'
import type {FleetEvent} from '../fleet/schemas.js'

export default class Logs extends FleetCommand {
  static override description = [
    'A fleet task\'s events, each numbered: those recorded so far, or with -f every one until the task ends.',
    'A dropped connection (a server restart) is resumed after the last event seen, so nothing is missed or repeated.',
  ].join('\n')

  static override examples = ['<%= config.bin %> logs 5f0c…', '<%= config.bin %> logs -f 5f0c…', '<%= config.bin %> logs -f 5f0c… --after 40 --json']
  static override args = fleetTaskArg
  static override flags = {
    follow: Flags.boolean({char: 'f', description: 'Keep following until the task ends'}),
    after: Flags.integer({min: 0, default: 0, description: 'Start after this event number'}),
  }

  /** --json prints newline-delimited JSON: one event per line, then the task's status. */
  override logJson(json: unknown): void {
    writeJsonLine(json)
  }

  async run() {
    const {args, flags} = await this.parse(Logs)
    const client = this.fleetClient(flags.server, flags.cwd)
    const json = this.jsonEnabled()
    const onEvent = (event: FleetEvent) => this.printEvent(event)
    const status = await withStopSignals(async (signal) => {
      try {
        return await (flags.follow
          ? followTask(client, args.task, {after: flags.after, onEvent, signal})
          : client.events(args.task, {after: flags.after, follow: false, onEvent, signal}))
      } catch (error) {
        if (signal.aborted) return 'stopped' as const
        throw error
      }
    })
    if (status === 'stopped') process.exitCode = INTERRUPTED_EXIT
    if (!json) this.log(`task ${args.task}: ${status ?? 'the connection was cut before the end; run again to see the rest'}`)
    return {status: status ?? null}
  }
}
