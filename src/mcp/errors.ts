import {PyAgentError} from '../errors.js'

/** An mcp.json that cannot be read, parsed or validated, or a server entry the command line cannot build. */
export class McpConfigError extends PyAgentError {
  override readonly name = 'McpConfigError'
  constructor(message: string, options?: ErrorOptions) {
    super('E_MCP_CONFIG', message, options)
  }
}

/** A server that could not be started, reached or asked, or that named no such server. */
export class McpServerError extends PyAgentError {
  override readonly name = 'McpServerError'
  constructor(message: string, options?: ErrorOptions) {
    super('E_MCP_SERVER', message, options)
  }
}

/** A server a repository defines that the user has not approved (or whose command changed since). */
export class McpUnapprovedError extends PyAgentError {
  override readonly name = 'McpUnapprovedError'
  constructor(message: string) {
    super('E_MCP_UNAPPROVED', message)
  }
}
