import {pruneMemory} from '../../app/memory.js'
import {counted, MemoryCommand} from '../../cli/memory-command.js'

export default class MemoryPrune extends MemoryCommand {
  static override description = 'Forget the facts whose strength has faded under memoryPruneBelow (learning a fact prunes too)'
  static override examples = ['<%= config.bin %> memory prune', '<%= config.bin %> memory prune --json']

  async run() {
    const {flags} = await this.parse(MemoryPrune)
    const root = this.repoRoot(flags.cwd)
    const result = await pruneMemory(root, this.resolveConfig(root).config)
    if (!this.jsonEnabled()) this.log(`Pruned ${counted(result.pruned, 'faded fact')}; ${result.remaining} left.`)
    return result
  }
}
