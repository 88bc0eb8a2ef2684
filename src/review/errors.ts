import {PyAgentError} from '../errors.js'

/** A review that cannot run as asked (a missing base ref, a missing base in CI); the message says what to do. */
export class ReviewError extends PyAgentError {
  override readonly name = 'ReviewError'
  constructor(message: string) {
    super('E_REVIEW', message)
  }
}

export const REVIEW_ERROR_EXIT = 2
