/**
 * What the review, CI, audit and hook commands share: exit 1 means findings failed the run, so
 * every failure to review at all exits 2 with its message, and the pre-commit hook can tell a
 * blocked change from a broken PyAgent (see review/hook.ts).
 */
import {Flags} from '@oclif/core'

import {REVIEW_ERROR_EXIT} from '../review/errors.js'
import {BaseCommand} from './base.js'

/** `--fail-on`, the same for `review` and `ci`. */
export const failOnFlag = Flags.option({
  options: ['error', 'warning', 'never'] as const,
  description: 'Exit 1 when a finding has this severity or worse (default: config reviewFailOn, else error)',
})

export abstract class ReviewCommand extends BaseCommand {
  protected override async catch(error: Error & {exitCode?: number; oclif?: unknown}): Promise<unknown> {
    // oclif's own errors (bad flags, an explicit this.error) already carry their exit code.
    if (error.oclif !== undefined) return super.catch(error)
    return this.fail(this.known(error) ?? new Error(`${error.name}: ${error.message}`), REVIEW_ERROR_EXIT)
  }
}
