/**
 * What every command shares: the repository root, the resolved config, `--json`, and one
 * way to turn PyAgent's own errors into a message and an exit code.
 */
import {Command, Flags} from '@oclif/core'

import {ConfigError} from '../config/errors.js'
import {loadConfig, type ResolvedConfig} from '../config/load.js'
import type {ConfigKey} from '../config/schema.js'
import {ModelError} from '../engine/errors.js'
import {NativeModuleError} from '../native.js'
import {StateSchemaError} from '../state/db.js'
import {WorkspaceError} from '../workspace/errors.js'
import {type RecoveryReport, recoverRepository} from '../workspace/recovery.js'
import {findRepoRoot} from '../workspace/repo.js'
import {Workspace} from '../workspace/workspace.js'

const KNOWN_ERRORS = [ConfigError, ModelError, NativeModuleError, StateSchemaError, WorkspaceError]

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    cwd: Flags.directory({description: 'Repository to work on (default: the one containing the current directory)'}),
  }

  /**
   * Every command starts by repairing what a crash left in the repository (a transaction
   * interrupted mid-commit is finished or undone from its journal), before anything reads a file.
   */
  override async init(): Promise<void> {
    await super.init()
    const {flags} = await this.parse(this.ctor as typeof BaseCommand)
    const report = await recoverRepository(this.repoRoot(flags.cwd))
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

  /** Opens the transactional workspace under the configured path policy (`init` has already run recovery). */
  protected async openWorkspace(repoRoot: string): Promise<Workspace> {
    const {config} = this.resolveConfig(repoRoot)
    return Workspace.open(repoRoot, {denyPaths: config.denyPaths})
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (KNOWN_ERRORS.some((type) => error instanceof type)) {
      this.error(error.message, {exit: 1})
    }
    return super.catch(error)
  }
}
