/**
 * The fleet server's bearer token, kept in the user config directory: made by the server at its
 * first start beyond loopback, read by the CLI client of the same user. Never printed or logged.
 */
import {chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {randomBytes} from 'node:crypto'

import {userConfigPath} from '../config/load.js'

export function fleetTokenPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(userConfigPath(env)), 'fleet-token')
}

/** The token of this user's fleet server: read, or made (256 random bits, readable by the user alone) when there is none. */
export function ensureFleetToken(path = fleetTokenPath()): string {
  if (existsSync(path)) return readFleetToken(path)
  mkdirSync(dirname(path), {recursive: true, mode: 0o700})
  writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, {mode: 0o600, flag: 'wx'})
  chmodSync(path, 0o600)
  return readFleetToken(path)
}

export function readFleetToken(path = fleetTokenPath()): string {
  return readFileSync(path, 'utf8').trim()
}

/** The token for a client: undefined where no server of this user ever made one (a loopback server needs none). */
export function clientFleetToken(path = fleetTokenPath()): string | undefined {
  return existsSync(path) ? readFleetToken(path) : undefined
}

