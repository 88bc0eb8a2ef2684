import {GitError} from './git.js'

/** A review that cannot run as asked (a missing base ref, a missing base in CI); the message says what to do. */
export class ReviewError extends Error {
  override readonly name = 'ReviewError'
}

/** Errors the review commands turn into a clean message and exit code 2 (1 means "findings failed the run"). */
export function isReviewFailure(error: unknown): error is Error {
  // Matched by name: LlmError's class would load the openai SDK into every hook run, and the baseline's lives below the review.
  return error instanceof ReviewError || error instanceof GitError || (error instanceof Error && (error.name === 'LlmError' || error.name === 'BaselineError'))
}

export const REVIEW_ERROR_EXIT = 2
