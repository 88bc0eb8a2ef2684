import {Args} from '@oclif/core'

import {forgetInMemory} from '../../app/memory.js'
import {MemoryCommand} from '../../cli/memory-command.js'

export default class MemoryForget extends MemoryCommand {
  static override description = 'Forget one learnt fact, by the id `pyagent memory list` shows'
  static override examples = ['<%= config.bin %> memory forget 12', '<%= config.bin %> memory forget 12 --json']
  static override args = {id: Args.integer({description: 'The fact\'s id', required: true, min: 1})}

  async run() {
    const {args, flags} = await this.parse(MemoryForget)
    const root = this.repoRoot(flags.cwd)
    const forgotten = await forgetInMemory(root, this.resolveConfig(root).config, args.id)
    if (!this.jsonEnabled()) this.log(`Forgot fact ${forgotten.id}: ${forgotten.text}`)
    return {forgotten}
  }
}
