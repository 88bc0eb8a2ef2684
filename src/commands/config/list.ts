import {BaseCommand} from '../../cli/base.js'
import {CONFIG_KEYS, configSchema, envVarFor} from '../../config/schema.js'

export default class ConfigList extends BaseCommand {
  static override description = 'Show every setting, its value and where the value came from'
  static override examples = ['<%= config.bin %> config list', '<%= config.bin %> config list --json']

  async run() {
    const {flags} = await this.parse(ConfigList)
    const {config, origins} = this.resolveConfig(this.repoRoot(flags.cwd))
    const settings = CONFIG_KEYS.map((key) => ({
      key,
      value: config[key],
      source: origins[key].label,
      env: envVarFor(key),
      description: configSchema.shape[key].description ?? '',
    }))
    if (!this.jsonEnabled()) {
      const width = Math.max(...settings.map((setting) => setting.key.length))
      for (const setting of settings) {
        this.log(`${setting.key.padEnd(width)}  ${JSON.stringify(setting.value) ?? '(unset)'}  [${setting.source}]`)
      }
    }
    return {settings}
  }
}
