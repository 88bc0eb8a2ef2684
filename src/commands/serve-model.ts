import {Flags} from '@oclif/core'

import {serveCachedModel, serveUntil} from '../app/model-server.js'
import {BaseCommand} from '../cli/base.js'
import {untilStopped} from '../cli/stop-signals.js'

export default class ServeModel extends BaseCommand {
  static override description = 'Serve a cached model with the embedded engine on 127.0.0.1, behind the OpenAI-compatible API (/v1/models, /v1/chat/completions)'
  static override examples = ['<%= config.bin %> serve-model', '<%= config.bin %> serve-model --port 8011 --model smollm2-135m-instruct']
  static override flags = {
    port: Flags.integer({description: 'Port on 127.0.0.1 (default: any free port)', min: 0, max: 65_535, default: 0}),
    model: Flags.string({description: 'Cached model name (default: the default model)'}),
  }

  async run() {
    const {flags} = await this.parse(ServeModel)
    const threads = this.resolveConfig(this.repoRoot(flags.cwd)).config.engineThreads
    const server = await serveCachedModel({model: flags.model, threads, port: flags.port})
    const {name} = server.model
    // The URL goes out on stdout as soon as it is known, so scripts can wait for it, with or without --json.
    process.stdout.write(this.jsonEnabled() ? `${JSON.stringify({url: server.url, model: name})}\n` : `Serving ${name} at ${server.url}\n`)
    await serveUntil(server, untilStopped())
  }
}
