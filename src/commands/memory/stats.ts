import {memoryStatsOf} from '../../app/memory.js'
import {counted, MemoryCommand} from '../../cli/memory-command.js'

export default class MemoryStats extends MemoryCommand {
  static override description = 'How many facts PyAgent keeps for this repository, of which kinds and sources, and how many have faded'
  static override examples = ['<%= config.bin %> memory stats', '<%= config.bin %> memory stats --json']

  async run() {
    const {flags} = await this.parse(MemoryStats)
    const root = this.repoRoot(flags.cwd)
    const stats = await memoryStatsOf(root, this.resolveConfig(root).config)
    if (!this.jsonEnabled()) {
      const counts = (tally: Record<string, number>) => Object.entries(tally).map(([name, count]) => `${name} ${count}`).join(', ') || 'none'
      this.log(`${counted(stats.facts, 'fact')} (${stats.weak} faded under ${stats.pruneBelow}, to be pruned); mean strength ${stats.meanStrength.toFixed(2)}`)
      this.log(`by kind: ${counts(stats.byKind)}`)
      this.log(`by source: ${counts(stats.bySource)}`)
      this.log(`strength halves every ${stats.halfLifeDays} days without use; oldest fact ${stats.oldest ?? '-'}, last use ${stats.lastUsed ?? '-'}`)
    }
    return stats
  }
}
