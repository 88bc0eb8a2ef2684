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
import {findRepoRoot} from '../workspace/repo.js'
import {Workspace} from '../workspace/workspace.js'

const KNOWN_ERRORS = [ConfigError, ModelError, NativeModuleError, StateSchemaError, WorkspaceError]

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    cwd: Flags.directory({description: 'Repository to work on (default: the one containing the current directory)'}),
  }

  protected repoRoot(cwd: string | undefined): string {
    return findRepoRoot(cwd ?? process.cwd())
  }

  protected resolveConfig(repoRoot: string, flags: Partial<Record<ConfigKey, unknown>> = {}): ResolvedConfig {
    return loadConfig({repoRoot, flags})
  }

  /** Opens the transactional workspace (running crash recovery) under the configured path policy. */
  protected async openWorkspace(repoRoot: string): Promise<Workspace> {
    const {config} = this.resolveConfig(repoRoot)
    const workspace = await Workspace.open(repoRoot, {denyPaths: config.denyPaths})
    for (const failure of workspace.recovery.failed) {
      this.warn(`Transaction ${failure.id} could not be repaired after a crash: ${failure.error}. Fix the files it names, then run again.`)
    }
    return workspace
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (KNOWN_ERRORS.some((type) => error instanceof type)) {
      this.error(error.message, {exit: 1})
    }
    return super.catch(error)
  }
}
