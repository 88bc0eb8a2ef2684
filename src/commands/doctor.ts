import {Flags} from '@oclif/core'
import {styleText} from 'node:util'

import {BaseCommand} from '../cli/base.js'
import {type CheckStatus, runDoctor} from '../doctor/checks.js'
import {stateDbPath} from '../state/paths.js'
import {repairState} from '../state/repair.js'

const MARK: Record<CheckStatus, string> = {
  ok: styleText('green', '✔ ok  '),
  warn: styleText('yellow', '▲ warn'),
  fail: styleText('red', '✖ fail'),
}

export default class Doctor extends BaseCommand {
  static override description =
    "Check that PyAgent can run here: Node, the native module, SQLite state, git, the LLM endpoint, and the embedded model `run` falls back to"
  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor --json',
    '<%= config.bin %> doctor --repair    # a damaged .pyagent/state.db is moved aside and replaced',
    'PYAGENT_BASE_URL=http://gpu-box:8000/v1 <%= config.bin %> doctor',
  ]
  static override flags = {
    timeout: Flags.integer({description: 'Milliseconds to wait for each endpoint probe', default: 2000, min: 1}),
    repair: Flags.boolean({
      description: 'Move a damaged .pyagent/state.db aside (kept as state.db.damaged-<time>) and start a fresh one, then check again',
    }),
  }

  async run() {
    const {flags} = await this.parse(Doctor)
    const repoRoot = this.repoRoot(flags.cwd)
    const repair = flags.repair ? repairState(stateDbPath(repoRoot)) : undefined
    if (repair?.movedTo && !this.jsonEnabled()) {
      this.log(`Moved the damaged state database to ${repair.movedTo} and started a fresh one; the history and undo records of earlier tasks stay in that copy.`)
    } else if (repair && !this.jsonEnabled()) {
      this.log('The state database is not damaged; nothing to repair.')
    }
    const report = {...(await runDoctor({repoRoot, timeoutMs: flags.timeout})), ...(repair ? {repair: {movedTo: repair.movedTo ?? null}} : {})}
    if (!this.jsonEnabled()) {
      const width = Math.max(...report.checks.map((check) => check.name.length))
      for (const check of report.checks) {
        this.log(`${MARK[check.status]}  ${check.name.padEnd(width)}  ${check.detail}`)
        if (check.fix && check.status !== 'ok') this.log(`${' '.repeat(width + 10)}→ ${check.fix}`)
      }
    }
    if (!report.ok) process.exitCode = 1
    return report
  }
}
