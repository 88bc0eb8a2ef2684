import {PyAgentError} from '../errors.js'

export class ConfigError extends PyAgentError {
  override readonly name = 'ConfigError'
  constructor(message: string, options?: ErrorOptions) {
    super('E_CONFIG_INVALID', message, options)
  }
}
