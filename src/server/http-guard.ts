/**
 * Who may talk to PyAgent's HTTP surface, by the fleet's rules: it binds loopback unless told
 * otherwise, and anywhere else only with a token. On loopback every request must name loopback in
 * its Host (a web page cannot rebind a name of its own onto 127.0.0.1 and reach it); a browser's
 * Origin must be loopback or the host it asked for; with a token, it must carry it as a bearer
 * token, which no page of another origin can add without a preflight this server never grants.
 */
import {timingSafeEqual} from 'node:crypto'
import type {IncomingMessage} from 'node:http'

import {PyAgentError} from '../errors.js'

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]', '::1']

export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.includes(host) || host.startsWith('127.')
}

export class ServerAuthError extends PyAgentError {
  override readonly name = 'ServerAuthError'
  constructor(message: string) {
    super('E_SERVER_AUTH', message)
  }
}

/** Refuses, before listening, to serve beyond loopback without a token. */
export function checkBinding(host: string, token: string | undefined): void {
  if (!isLoopback(host) && !token) {
    throw new ServerAuthError(`Serving on ${host} reaches beyond this machine, so it needs a token: set PYAGENT_SERVER_TOKEN, and give clients "Authorization: Bearer <token>"`)
  }
}

function hostName(hostHeader: string): string {
  return hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0]!
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Why the request is refused, with its status, or undefined when it may go on. */
export function refusal(request: IncomingMessage, options: {host: string; port: number; token: string | undefined}): {status: number; message: string} | undefined {
  const hostHeader = request.headers.host ?? ''
  const named = hostName(hostHeader)
  if (isLoopback(options.host) && (!isLoopback(named) || !hostHeader.endsWith(`:${options.port}`))) return {status: 403, message: `Host "${hostHeader}" is not this server`}
  const origin = request.headers.origin
  if (origin !== undefined) {
    let originHost: string
    try {
      originHost = new URL(origin).hostname
    } catch {
      return {status: 403, message: `Origin "${origin}" is not a URL`}
    }
    if (!isLoopback(originHost) && originHost !== named) return {status: 403, message: `Origin "${origin}" may not call this server`}
  }
  if (options.token) {
    const given = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1]
    if (!given || !sameToken(given, options.token)) return {status: 401, message: 'A bearer token is required (Authorization: Bearer <PYAGENT_SERVER_TOKEN>)'}
  }
  return undefined
}
