import {Args} from '@oclif/core'

import {BaseCommand} from '../../cli/base.js'
import {assertConfigKey} from '../../config/store.js'

export default class ConfigGet extends BaseCommand {
  static override description = "Print one setting's resolved value"
  static override examples = ['<%= config.bin %> config get baseUrl', '<%= config.bin %> config get maxSteps --json']
  static override args = {key: Args.string({description: 'Setting name, e.g. baseUrl', required: true})}

  async run() {
    const {args, flags} = await this.parse(ConfigGet)
    const key = assertConfigKey(args.key)
    const {config, origins} = this.resolveConfig(this.repoRoot(flags.cwd))
    const value = config[key]
    if (!this.jsonEnabled()) this.log(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''))
    return {key, value, source: origins[key].label}
  }
}
