import {BaseCommand} from '../../cli/base.js'
import {listModels, modelCacheDir} from '../../engine/models.js'

export default class ModelList extends BaseCommand {
  static override description = 'List the models in the user cache, with their size and blake3'
  static override examples = ['<%= config.bin %> model list', '<%= config.bin %> model list --json']

  async run() {
    await this.parse(ModelList)
    const models = await listModels()
    if (!this.jsonEnabled()) {
      if (models.length === 0) this.log(`No models in ${modelCacheDir()}; run \`pyagent model pull\`.`)
      for (const model of models) this.log(`${model.name}  ${(model.size / 1e6).toFixed(1)} MB  ${model.blake3.slice(0, 16)}…  ${model.file}`)
    }
    return {cacheDir: modelCacheDir(), models}
  }
}
