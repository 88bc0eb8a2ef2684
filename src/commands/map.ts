import {Flags} from '@oclif/core'

import {DEFAULT_MAP_TOKENS, mapRepository, type MapReport} from '../app/map.js'
import {BaseCommand} from '../cli/base.js'
import {progressReporter} from '../cli/index-progress.js'

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

function describeStats(report: MapReport): string {
  const {stats} = report
  const skipped = Object.entries(stats.skipped)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${count} ${reason === 'tooLarge' ? 'over 1 MB' : reason}`)
  const shown = `${plural(report.definitions.length, 'definition')} from ${plural(report.files.length, 'file')}, ${report.tokens} of ${report.tokenBudget} tokens`
  const indexed = `${plural(stats.files, 'source file')} indexed (${stats.cached} from the cache, ${stats.parsed} parsed${skipped.length > 0 ? `; skipped: ${skipped.join(', ')}` : ''})`
  return `${shown}; ${indexed} in ${report.timings.index + report.timings.rank + report.timings.render} ms.`
}

export default class MapCommand extends BaseCommand {
  static override description =
    'Print the repository map: the signatures of the definitions that matter most for a task, ranked over the whole repository and cut to a token budget'
  static override examples = [
    '<%= config.bin %> map',
    '<%= config.bin %> map --task "make the retry backoff configurable" --tokens 2048',
    '<%= config.bin %> map --json',
  ]
  static override flags = {
    task: Flags.string({description: 'What the map is for: the files and names it mentions rank first'}),
    tokens: Flags.integer({description: 'Token budget of the map', default: DEFAULT_MAP_TOKENS, min: 1}),
  }

  async run() {
    const {flags} = await this.parse(MapCommand)
    const progress = progressReporter('for the map', 'later maps reuse their tags')
    const report = await mapRepository(this.repoRoot(flags.cwd), {task: flags.task, tokenBudget: flags.tokens, onProgress: progress.report}).finally(
      progress.end,
    )
    if (report.cacheUnavailable) this.notice(`${report.cacheUnavailable} The map was built without its cache, parsing every file.`)
    if (!this.jsonEnabled()) {
      process.stdout.write(report.text)
      if (report.stats.files === 0) {
        process.stderr.write('No source files the map covers here (TypeScript, JavaScript, Python, Rust, Go, Java, C, C++).\n')
      } else {
        process.stderr.write(`${describeStats(report)}\n`)
      }
    }
    return report
  }
}
