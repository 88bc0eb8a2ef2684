/** What the fleet's client commands share: which server they talk to. */
import {Flags} from '@oclif/core'

import {FleetClient} from '../app/fleet-client.js'
import {BaseCommand} from './base.js'

export abstract class FleetCommand extends BaseCommand {
  static override baseFlags = {
    ...BaseCommand.baseFlags,
    server: Flags.string({description: 'The fleet server\'s URL (default: config fleetUrl, http://127.0.0.1:7800)'}),
  }

  protected fleetClient(server: string | undefined, cwd: string | undefined): FleetClient {
    return new FleetClient(server ?? this.resolveConfig(this.repoRoot(cwd)).config.fleetUrl)
  }
}
