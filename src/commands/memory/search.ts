import {Args, Flags} from '@oclif/core'

import {searchMemory} from '../../app/memory.js'
import {MemoryCommand} from '../../cli/memory-command.js'

export default class MemorySearch extends MemoryCommand {
  static override description = 'Find the learnt facts that bear on a text, best first: full-text match (BM25) weighed by strength'
  static override examples = ['<%= config.bin %> memory search "how do I run the tests"', '<%= config.bin %> memory search deploy --limit 3 --json']
  static override args = {query: Args.string({description: 'Words to look for', required: true})}
  static override flags = {limit: Flags.integer({description: 'How many facts to show', default: 10, min: 1})}

  async run() {
    const {args, flags} = await this.parse(MemorySearch)
    const root = this.repoRoot(flags.cwd)
    const facts = await searchMemory(root, this.resolveConfig(root).config, args.query, {limit: flags.limit})
    if (!this.jsonEnabled()) {
      for (const fact of facts) this.log(this.factLine(fact, `score ${fact.score.toPrecision(3)}  strength `))
      if (facts.length === 0) this.log('No fact matches.')
    }
    return {query: args.query, facts}
  }
}
