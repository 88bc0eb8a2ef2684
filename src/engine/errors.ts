import {PyAgentError} from '../errors.js'

/** A model that cannot be fetched, verified, found or loaded: the message says what to do. */
export class ModelError extends PyAgentError {
  override name = 'ModelError'
  constructor(message: string, options?: ErrorOptions) {
    super('E_MODEL', message, options)
  }
}
