import {Args} from '@oclif/core'

import {BaseCommand} from '../cli/base.js'
import {openStateForReading} from '../state/db.js'
import {LookupError} from '../workspace/errors.js'
import {findTransaction, summariseTransaction, transactionDiff} from '../workspace/history.js'
import {Journal} from '../workspace/journal.js'

export default class Show extends BaseCommand {
  static override needsState = true
  static override description = 'Show one transaction: its task, status, git state and its diff'
  static override examples = ['<%= config.bin %> show 3f2a9c01', '<%= config.bin %> show 3f2a9c01 --json']
  static override args = {tx: Args.string({description: 'Transaction id (a unique prefix of 4+ characters will do)', required: true})}

  async run() {
    const {args, flags} = await this.parse(Show)
    const db = openStateForReading(this.repoRoot(flags.cwd))
    if (!db) throw new LookupError(`No transaction matches "${args.tx}": PyAgent has made none in this repository`)
    try {
      const journal = new Journal(db)
      const summary = summariseTransaction(journal, findTransaction(journal, args.tx))
      const diff = transactionDiff(journal, summary.id)
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
      return {...summary, diff}
    } finally {
      db.close()
    }
  }
}
