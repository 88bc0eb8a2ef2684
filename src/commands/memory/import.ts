import {Args} from '@oclif/core'
import {resolve} from 'node:path'

import {importMemory} from '../../app/memory.js'
import {counted, MemoryCommand} from '../../cli/memory-command.js'

export default class MemoryImport extends MemoryCommand {
  static override description =
    'Add the facts of a snapshot `pyagent memory export` wrote; a damaged, truncated or newer snapshot is refused whole, and nothing is imported'
  static override examples = ['<%= config.bin %> memory import facts.pyagent-memory', '<%= config.bin %> memory import /backups/repo.memory --json']
  static override args = {file: Args.string({description: 'The snapshot file to read', required: true})}

  async run() {
    const {args, flags} = await this.parse(MemoryImport)
    const root = this.repoRoot(flags.cwd)
    const result = await importMemory(root, this.resolveConfig(root).config, resolve(args.file))
    if (!this.jsonEnabled()) {
      this.log(`Imported ${result.file}: ${counted(result.facts, 'fact')}, ${result.added} new, ${result.merged} already known (the stronger side kept); ${result.pruned} faded and pruned.`)
    }
    return result
  }
}
