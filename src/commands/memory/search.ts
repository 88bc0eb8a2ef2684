import {Args, Flags} from '@oclif/core'

import {type CodeSearchReport, searchRepositoryCode} from '../../app/code-search.js'
import {searchMemory} from '../../app/memory.js'
import {progressReporter} from '../../cli/index-progress.js'
import {counted, MemoryCommand} from '../../cli/memory-command.js'

/** Skipped files named on stderr; --json lists them all. */
const SKIPPED_NAMED = 5

export default class MemorySearch extends MemoryCommand {
  static override description =
    'Find the learnt facts that bear on a text, best first: full-text match (BM25) weighed by strength; with --code, the functions and classes that answer it'
  static override examples = [
    '<%= config.bin %> memory search "how do I run the tests"',
    '<%= config.bin %> memory search deploy --limit 3 --json',
    '<%= config.bin %> memory search --code "parse the config file"',
  ]
  static override args = {query: Args.string({description: 'Words to look for', required: true})}
  static override flags = {
    limit: Flags.integer({description: 'How many results to show', default: 10, min: 1}),
    code: Flags.boolean({
      description: 'Search the code index instead (indexed first: changed files only): BM25, fused with vectors when embeddingsUrl answers',
      default: false,
    }),
  }

  async run() {
    const {args, flags} = await this.parse(MemorySearch)
    const root = this.repoRoot(flags.cwd)
    const {config} = this.resolveConfig(root)
    if (flags.code) {
      const progress = progressReporter('for the code index', 'later searches cut only the files that changed')
      const report = await searchRepositoryCode(root, config, args.query, {limit: flags.limit, onProgress: progress.report}).finally(progress.end)
      if (report.vectorsUnavailable) this.notice(`Ranked by words alone (BM25): ${report.vectorsUnavailable}.`)
      if (!this.jsonEnabled()) this.renderCode(report)
      return report
    }
    const facts = await searchMemory(root, config, args.query, {limit: flags.limit})
    if (!this.jsonEnabled()) {
      for (const fact of facts) this.log(this.factLine(fact, `score ${fact.score.toPrecision(3)}  strength `))
      if (facts.length === 0) this.log('No fact matches.')
    }
    return {query: args.query, facts}
  }

  private renderCode(report: CodeSearchReport): void {
    for (const hit of report.hits) this.log(`${hit.path}:${hit.startLine}-${hit.endLine}  ${hit.kind} ${hit.name}  score ${hit.score.toPrecision(3)}`)
    if (report.hits.length === 0) this.log('No code matches.')
    const {index} = report
    const named = index.skipped.slice(0, SKIPPED_NAMED).map(({path, reason}) => `${path}: ${reason}`)
    if (index.skipped.length > SKIPPED_NAMED) named.push('…')
    const skipped = index.skipped.length === 0 ? '' : `; skipped ${counted(index.skipped.length, 'file')} (${named.join(', ')})`
    process.stderr.write(`${counted(index.files, 'source file')} indexed (${index.cut} cut, ${index.unchanged} unchanged, ${index.dropped} dropped${skipped}); ranked by ${report.method}.\n`)
  }
}
