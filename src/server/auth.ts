/**
 * Who may talk to PyAgent's servers (the fleet's API, MCP over HTTP). On a loopback bind only this machine can reach it, so no
 * token is asked; any other bind asks for the bearer token kept in the user config directory
 * (made at first start, mode 0600). Whatever the bind, a request must name the server itself in
 * `Host` (and in `Origin`, when it has one): a web page that rebinds its own name to 127.0.0.1,
 * or calls the server from another origin, is refused.
 */
import {createHash, timingSafeEqual} from 'node:crypto'
import {hostname, networkInterfaces} from 'node:os'

import {PyAgentError} from '../errors.js'
import {fleetTokenPath} from '../fleet/token.js'

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase()
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare)
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]'])

/** The names a request may use for this server: its bind address, and for a wildcard bind every address and the name of this machine. */
export function ownHostNames(bind: string): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]'])
  if (WILDCARDS.has(bind)) {
    names.add(hostname().toLowerCase())
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) names.add(address.family === 'IPv6' ? `[${address.address.toLowerCase()}]` : address.address)
    }
  } else {
    names.add(bind.includes(':') && !bind.startsWith('[') ? `[${bind.toLowerCase()}]` : bind.toLowerCase())
  }
  return names
}

export class FleetAuthError extends PyAgentError {
  override name = 'FleetAuthError'
  constructor(
    code: 'E_FLEET_UNAUTHORIZED' | 'E_FLEET_FORBIDDEN',
    message: string,
    readonly status: 401 | 403,
  ) {
    super(code, message)
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest()

/** Equal digests of equal length: the comparison takes as long whatever the token sent. */
function sameToken(sent: string, token: string): boolean {
  return timingSafeEqual(digest(sent), digest(token))
}

export interface RequestCheck {
  host: string | undefined
  origin: string | undefined
  authorization: string | undefined
}

export interface AccessPolicy {
  port: number
  names: Set<string>
  /** undefined on a loopback bind. */
  token: string | undefined
}

function hostAndPort(value: string): {name: string; port: string | undefined} {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(value.toLowerCase())
  return match ? {name: match[1]!, port: match[2]} : {name: '', port: undefined}
}

function isOwn(value: string, policy: AccessPolicy): boolean {
  const {name, port} = hostAndPort(value)
  return policy.names.has(name) && (port ?? '80') === String(policy.port)
}

/** Throws a FleetAuthError (403 for a foreign Host or Origin, 401 for a missing or wrong token); returns when the request may go on. */
export function checkAccess(request: RequestCheck, policy: AccessPolicy): void {
  if (!request.host || !isOwn(request.host, policy)) {
    throw new FleetAuthError('E_FLEET_FORBIDDEN', 'The request\'s Host is not this server\'s own address; call it by the address it listens on.', 403)
  }
  if (request.origin !== undefined) {
    let origin: URL | undefined
    try {
      origin = new URL(request.origin)
    } catch {
      origin = undefined
    }
    if (!origin || origin.protocol !== 'http:' || !isOwn(origin.host, policy)) {
      throw new FleetAuthError('E_FLEET_FORBIDDEN', 'The request comes from a web page of another origin; the server answers only its own.', 403)
    }
  }
  if (policy.token === undefined) return
  const sent = /^Bearer (\S+)$/i.exec(request.authorization ?? '')?.[1]
  if (!sent || !sameToken(sent, policy.token)) {
    throw new FleetAuthError('E_FLEET_UNAUTHORIZED', `This server listens beyond loopback and needs its bearer token (kept in ${fleetTokenPath()} on the server\'s machine): send "Authorization: Bearer <token>".`, 401)
  }
}
