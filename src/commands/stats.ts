import {Flags} from '@oclif/core'

import {readStats, sinceSchema, statsGroupingSchema} from '../app/stats.js'
import {BaseCommand} from '../cli/base.js'
import {renderStats} from '../ui/stats.js'

export default class Stats extends BaseCommand {
  static override description = "How this repository's tasks went: success rate, steps, tokens, cost, time and edit-apply rate, as a table and charts"
  static override examples = ['<%= config.bin %> stats', '<%= config.bin %> stats --since 30d --by model', '<%= config.bin %> stats --by day --json']
  static override flags = {
    since: Flags.string({description: 'How far back to look: a count and a unit, m h d or w (30m, 12h, 7d, 2w)', default: '7d'}),
    by: Flags.string({description: 'Group the tasks by', options: statsGroupingSchema.options}),
  }

  async run() {
    const {flags} = await this.parse(Stats)
    const since = sinceSchema.safeParse(flags.since)
    if (!since.success) this.error(`--since ${flags.since}: ${since.error.issues[0]!.message}`, {exit: 1})
    const report = readStats(this.repoRoot(flags.cwd), {sinceMs: since.data, by: flags.by === undefined ? undefined : statsGroupingSchema.parse(flags.by)})
    if (!this.jsonEnabled()) for (const line of renderStats(report)) this.log(line)
    return report
  }
}
