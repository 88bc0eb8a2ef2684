import {Args} from '@oclif/core'

import {showTransaction} from '../app/history.js'
import {BaseCommand} from '../cli/base.js'

export default class Show extends BaseCommand {
  static override needsState = true
  static override description = 'Show one transaction: its task, status, git state and its diff'
  static override examples = ['<%= config.bin %> show 3f2a9c01', '<%= config.bin %> show 3f2a9c01 --json']
  static override args = {tx: Args.string({description: 'Transaction id (a unique prefix of 4+ characters will do)', required: true})}

  async run() {
    const {args, flags} = await this.parse(Show)
    const shown = showTransaction(this.repoRoot(flags.cwd), args.tx)
    const {diff, ...summary} = shown
    if (!this.jsonEnabled()) {
      this.log(`transaction ${summary.id}  [${summary.status}]${summary.undoneBy ? `  undone by ${summary.undoneBy}` : ''}`)
      if (summary.taskId) this.log(`task        ${summary.taskId}`)
      if (summary.message) this.log(`message     ${summary.message}`)
      if (summary.gitHead) this.log(`git HEAD    ${summary.gitHead}${summary.gitDirty ? ' (dirty)' : ''}`)
      for (const file of summary.files) {
        const lines = file.linesAdded === null ? '' : `  +${file.linesAdded} -${file.linesRemoved}`
        this.log(`  ${file.op}  ${file.path}${lines}`)
      }
      this.log('')
      if (diff !== '') this.log(diff.replace(/\n$/, ''))
    }
    return shown
  }
}
