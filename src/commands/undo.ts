import {Args, Flags} from '@oclif/core'

import {undoInRepository, undoSummary} from '../app/undo.js'
import {BaseCommand} from '../cli/base.js'
import {UndoRefusedError} from '../workspace/undo.js'

export default class Undo extends BaseCommand {
  static override needsState = true
  static override description =
    'Roll back a committed transaction, or every transaction of a task, restoring the files atomically; refuses (and shows the diff) when they changed since'
  static override examples = ['<%= config.bin %> undo 3f2a9c01', '<%= config.bin %> undo <task-id> --force', '<%= config.bin %> undo 3f2a9c01 --json']
  static override args = {ref: Args.string({description: 'Transaction or task id (a unique prefix of 4+ characters will do)', required: true})}
  static override flags = {
    force: Flags.boolean({description: 'Restore even files that changed after the commit (their later changes are lost)', default: false}),
  }

  async run() {
    const {args, flags} = await this.parse(Undo)
    const root = this.repoRoot(flags.cwd)
    const result = await undoInRepository(root, this.resolveConfig(root).config, args.ref, {force: flags.force}).catch((error: unknown) => {
      // The diff goes out as it is (no error prefix on each line), so it can be read or piped to `git apply -R`.
      if (error instanceof UndoRefusedError && !this.jsonEnabled()) process.stderr.write(error.diff)
      throw error
    })
    const summary = undoSummary(result)
    if (!this.jsonEnabled()) {
      this.log(`Undid ${result.target.kind} ${result.target.id} in transaction ${result.commit.id.slice(0, 8)}:`)
      for (const file of result.commit.files) this.log(`  ${file.op}  ${file.path}`)
      if (result.overwritten.length > 0) this.log(`Overwrote later changes to: ${result.overwritten.join(', ')}`)
    }
    return summary
  }
}
