import {Args} from '@oclif/core'
import {resolve} from 'node:path'

import {exportMemory} from '../../app/memory.js'
import {counted, MemoryCommand} from '../../cli/memory-command.js'

export default class MemoryExport extends MemoryCommand {
  static override description = 'Write every learnt fact to a snapshot file (msgpack shards under a blake3 manifest), atomically'
  static override examples = ['<%= config.bin %> memory export facts.pyagent-memory', '<%= config.bin %> memory export /backups/repo.memory --json']
  static override args = {file: Args.string({description: 'The snapshot file to write (replaced whole if it exists)', required: true})}

  async run() {
    const {args, flags} = await this.parse(MemoryExport)
    const result = await exportMemory(this.repoRoot(flags.cwd), resolve(args.file))
    if (!this.jsonEnabled()) this.log(`Wrote ${counted(result.facts, 'fact')} in ${counted(result.shards, 'shard')} (${result.bytes} bytes) to ${result.file}`)
    return result
  }
}
