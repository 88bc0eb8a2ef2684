/**
 * What every command shares: the repository root, the resolved config, `--json`, and one
 * way to turn PyAgent's own errors into a message and an exit code.
 */
import {Command, Errors, Flags} from '@oclif/core'

import {loadConfig, type ResolvedConfig} from '../config/load.js'
import type {ConfigKey} from '../config/schema.js'
import {PyAgentError} from '../errors.js'
import {stateDbError} from '../state/errors.js'
import {stateDbPath} from '../state/paths.js'
import {type RecoveryReport, recoverRepository} from '../workspace/recovery.js'
import {findRepoRoot} from '../workspace/repo.js'

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    cwd: Flags.directory({description: 'Repository to work on (default: the one containing the current directory)'}),
  }

  /**
   * Commands that cannot work without the state database (history, undo, run): a damaged one
   * stops them. The others (review and the hook, config, doctor) say what is wrong and carry on.
   */
  static needsState = false

  /** The repository this command works on, once init has found it. */
  private root: string | undefined

  /**
   * Every command starts by repairing what a crash left in the repository (a transaction
   * interrupted mid-commit is finished or undone from its journal), before anything reads a file.
   */
  override async init(): Promise<void> {
    await super.init()
    const {flags} = await this.parse(this.ctor as typeof BaseCommand)
    this.root = this.repoRoot(flags.cwd)
    let report: RecoveryReport | undefined
    try {
      report = await recoverRepository(this.root)
    } catch (error) {
      const stateError = stateDbError(error, stateDbPath(this.root))
      if (!stateError || (this.ctor as typeof BaseCommand).needsState) throw stateError ?? error
      this.notice(`${stateError.message} Crash recovery was skipped.`)
    }
    if (report) this.warnAboutRecovery(report)
  }

  protected repoRoot(cwd: string | undefined): string {
    return findRepoRoot(cwd ?? process.cwd())
  }

  private warnAboutRecovery(report: RecoveryReport): void {
    for (const id of report.rolledForward) {
      this.notice(`Transaction ${id} was interrupted mid-commit by a crash; it is now finished: its files are wholly as its task left them.`)
    }
    for (const id of report.rolledBack) {
      this.notice(`Transaction ${id} was interrupted before its commit could land (a crash, or a commit that failed); it is rolled back: its files are as they were before it.`)
    }
    for (const kept of report.keptAside) {
      const theirs = kept.savedAt === null ? 'it would have deleted the file' : `its version is in ${kept.savedAt}`
      this.notice(`${kept.path} was changed after transaction ${kept.txId.slice(0, 8)} was interrupted, so your version was kept; ${theirs}.`)
    }
    for (const failure of report.failed) {
      this.notice(`Transaction ${failure.id} could not be repaired after a crash: ${failure.error}. Fix the files it names, then run again.`)
    }
    if (report.interruptedTasks.length > 0) {
      const ids = report.interruptedTasks.map((id) => id.slice(0, 8)).join(', ')
      this.notice(`Marked interrupted: task ${ids}, whose process ended without finishing it (\`pyagent history\` shows what it left).`)
    }
  }

  /** A warning on stderr; oclif drops warnings under --json, but stdout's JSON is no reason to hide what recovery did. */
  protected notice(text: string): void {
    if (this.jsonEnabled()) process.stderr.write(`Warning: ${text}\n`)
    else this.warn(text)
  }

  protected resolveConfig(repoRoot: string, flags: Partial<Record<ConfigKey, unknown>> = {}): ResolvedConfig {
    return loadConfig({repoRoot, flags})
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    const known = this.known(error)
    if (known) return this.fail(known, 1)
    return super.catch(error)
  }

  /** Ends the command on `error` with its message (no stack trace) and exit code: as text on stderr, or under --json as {error: {code, message}} on stdout. */
  protected fail(error: Error, exit: number): Promise<unknown> {
    process.exitCode = exit
    return super.catch(new Errors.CLIError(error.message, {exit, code: error instanceof PyAgentError ? error.code : undefined}))
  }

  protected override toErrorJson(error: Error & {code?: string; oclif?: {exit?: number}}): unknown {
    return {error: {code: error.code ?? null, message: error.message, exit: error.oclif?.exit ?? process.exitCode ?? 1}}
  }

  /** PyAgent's own error, or an SQLite one told as a StateDbError about this repository's database. */
  protected known(error: Error): PyAgentError | undefined {
    if (error instanceof PyAgentError) return error
    return this.root === undefined ? undefined : stateDbError(error, stateDbPath(this.root))
  }
}
