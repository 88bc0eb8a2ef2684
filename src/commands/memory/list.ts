import {Flags} from '@oclif/core'

import {listMemory} from '../../app/memory.js'
import {kindFlag, MemoryCommand} from '../../cli/memory-command.js'

export default class MemoryList extends MemoryCommand {
  static override description = 'List the facts PyAgent has learnt about this repository, strongest first: id, strength, kind, text'
  static override examples = ['<%= config.bin %> memory list', '<%= config.bin %> memory list --kind test-command --json']
  static override flags = {
    kind: kindFlag(),
    limit: Flags.integer({description: 'How many facts to list', default: 50, min: 1}),
  }

  async run() {
    const {flags} = await this.parse(MemoryList)
    const root = this.repoRoot(flags.cwd)
    const facts = await listMemory(root, this.resolveConfig(root).config, {kind: flags.kind, limit: flags.limit})
    if (!this.jsonEnabled()) {
      for (const fact of facts) this.log(this.factLine(fact))
      if (facts.length === 0) this.log('No facts learnt yet.')
    }
    return {facts}
  }
}
