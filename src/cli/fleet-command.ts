/** What the fleet's client commands share: which server they talk to, the task argument, how an event is printed. */
import {Args, Flags} from '@oclif/core'

import {FleetClient} from '../app/fleet-client.js'
import type {FleetEvent} from '../fleet/schemas.js'
import {fleetEventLine} from '../ui/fleet-event.js'
import {BaseCommand} from './base.js'

export const fleetTaskArg = {task: Args.string({description: 'The fleet task\'s id', required: true})}

export abstract class FleetCommand extends BaseCommand {
  static override baseFlags = {
    ...BaseCommand.baseFlags,
    server: Flags.string({description: 'The fleet server\'s URL (default: config fleetUrl, http://127.0.0.1:7800)'}),
  }

  protected fleetClient(server: string | undefined, cwd: string | undefined): FleetClient {
    return new FleetClient(server ?? this.resolveConfig(this.repoRoot(cwd)).config.fleetUrl)
  }

  /** One event on stdout: a JSON line under --json, else as `pyagent run` would show it (the fleet's own in words). */
  protected printEvent(event: FleetEvent): void {
    const line = this.jsonEnabled() ? JSON.stringify(event) : fleetEventLine(event)
    if (line) process.stdout.write(`${line}\n`)
  }
}
