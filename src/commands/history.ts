import {Flags} from '@oclif/core'

import {taskHistory} from '../app/history.js'
import {BaseCommand} from '../cli/base.js'
import type {TransactionSummary} from '../workspace/history.js'

function lines(tx: TransactionSummary): string {
  return tx.linesAdded === null ? '' : `  +${tx.linesAdded} -${tx.linesRemoved}`
}

function describeTransaction(tx: TransactionSummary, indent: string): string[] {
  const undone = tx.undoneBy ? `  (undone by ${tx.undoneBy.slice(0, 8)})` : ''
  const files = tx.files.length === 1 ? '1 file' : `${tx.files.length} files`
  const head = `${indent}tx ${tx.id.slice(0, 8)}  ${tx.status}  ${tx.committedAt ?? tx.createdAt}  ${files}${lines(tx)}${undone}  ${tx.message}`
  return [head.trimEnd(), ...tx.files.map((file) => `${indent}   ${file.op}  ${file.path}`)]
}

export default class History extends BaseCommand {
  static override needsState = true
  static override description = 'List tasks and their transactions: files touched, lines added and removed, undo links'
  static override examples = ['<%= config.bin %> history', '<%= config.bin %> history --limit 10 --json']
  static override flags = {
    limit: Flags.integer({description: 'How many of the most recent transactions to list', default: 50, min: 1}),
  }

  async run() {
    const {flags} = await this.parse(History)
    const history = taskHistory(this.repoRoot(flags.cwd), flags.limit)
    if (!this.jsonEnabled()) {
      for (const task of history.tasks) {
        this.log(`task ${task.id.slice(0, 8)}  [${task.status}]  ${task.title}`)
        for (const tx of task.transactions) for (const line of describeTransaction(tx, '  ')) this.log(line)
      }
      for (const tx of history.untracked) for (const line of describeTransaction(tx, '')) this.log(line)
      if (history.tasks.length === 0 && history.untracked.length === 0) this.log('No transactions yet.')
    }
    return history
  }
}
