import {Args} from '@oclif/core'

import {BaseCommand} from '../../cli/base.js'
import {repoConfigPath} from '../../config/load.js'
import {setRepoConfigValue} from '../../config/store.js'

export default class ConfigSet extends BaseCommand {
  static override description = "Validate a value and store it in the repository's .pyagent/config.json"
  static override examples = [
    '<%= config.bin %> config set baseUrl http://gpu-box:8000/v1',
    '<%= config.bin %> config set maxSteps 80',
    '<%= config.bin %> config set allowedCommands "npm test,npx tsc --noEmit"',
  ]
  static override args = {
    key: Args.string({description: 'Setting name', required: true}),
    value: Args.string({description: 'New value (lists: comma-separated or a JSON array)', required: true}),
  }

  async run() {
    const {args, flags} = await this.parse(ConfigSet)
    const repoRoot = this.repoRoot(flags.cwd)
    const value = setRepoConfigValue(repoRoot, args.key, args.value)
    const file = repoConfigPath(repoRoot)
    if (!this.jsonEnabled()) this.log(`${args.key} = ${JSON.stringify(value)} (written to ${file})`)
    return {key: args.key, value, file}
  }
}
