/** What the review, CI, audit and hook commands share: git and review failures exit 2 with their message. */
import {BaseCommand} from '../cli/base.js'
import {isReviewFailure, REVIEW_ERROR_EXIT} from './errors.js'

export abstract class ReviewCommand extends BaseCommand {
  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (isReviewFailure(error)) this.error(error.message, {exit: REVIEW_ERROR_EXIT})
    return super.catch(error)
  }
}
