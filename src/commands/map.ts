import {Flags} from '@oclif/core'

import {DEFAULT_MAP_TOKENS, mapRepository, type MapReport} from '../app/map.js'
import {BaseCommand} from '../cli/base.js'
import type {IndexProgress} from '../memory/repo-map.js'

/** Fewer files than this parse in well under a second: no progress to show. */
const PROGRESS_FROM_FILES = 500

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

/** Progress on stderr while a large repository is parsed: a line redrawn on a terminal, one line otherwise. */
function progressReporter(): {report: (progress: IndexProgress) => void; end: () => void} {
  let drawn = false
  let lastDraw = 0
  return {
    report({parsed, total}) {
      if (total < PROGRESS_FROM_FILES) return
      if (!process.stderr.isTTY) {
        if (!drawn) process.stderr.write(`Parsing ${total} files for the map; later maps reuse their tags.\n`)
        drawn = true
        return
      }
      const now = Date.now()
      if (parsed < total && now - lastDraw < 100) return
      lastDraw = now
      drawn = true
      process.stderr.write(`\rParsing files for the map: ${parsed}/${total}`)
    },
    end() {
      if (drawn && process.stderr.isTTY) process.stderr.write('\r\x1b[K')
    },
  }
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
    const progress = progressReporter()
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
