import {Args} from '@oclif/core'

import {BaseCommand} from '../../cli/base.js'
import {removeModel} from '../../engine/models.js'

export default class ModelRm extends BaseCommand {
  static override description = 'Remove a model from the user cache (a registered local GGUF is only forgotten, never deleted)'
  static override examples = ['<%= config.bin %> model rm smollm2-135m-instruct']
  static override args = {name: Args.string({description: 'Model name, as `pyagent model list` shows it', required: true})}

  async run() {
    const {args} = await this.parse(ModelRm)
    const entry = await removeModel(args.name)
    if (!this.jsonEnabled()) this.log(`Removed ${entry.name} (${entry.file})`)
    return entry
  }
}
