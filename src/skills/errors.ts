import {PyAgentError} from '../errors.js'

/** A program that cannot be wrapped as a tool: it does not run, its help is empty or lists no option, or no such wrapped tool. */
export class WrapError extends PyAgentError {
  override readonly name = 'WrapError'
  constructor(message: string) {
    super('E_SKILL_WRAP', message)
  }
}
