/** The repository map's failures: each says what happened and what to do. */
import {PyAgentError} from '../errors.js'

/** The map cannot be built at all: the directory is missing or cannot be listed. */
export class RepoMapError extends PyAgentError {
  override name = 'RepoMapError'
  constructor(message: string, options?: ErrorOptions) {
    super('E_MAP', message, options)
  }
}
