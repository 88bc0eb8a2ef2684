/**
 * The fleet's SQLite file: where it lives (the user data directory unless `--database` says
 * otherwise) and how it is opened (WAL, so the server and every worker process share it).
 */
import {mkdirSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, isAbsolute, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {openStateAt, type StateDb} from '../state/db.js'
import {FleetRequestError} from './errors.js'
import {FLEET_MIGRATIONS} from './migrations.js'

export type FleetDb = StateDb

export function defaultFleetDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  return join(base, 'pyagent', 'fleet.db')
}

/** `--database` naming a SQLite file: a `file:` URL or a path (PostgreSQL URLs are taken before this, by connect-store.ts). */
export function fleetDatabasePath(database: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (database === undefined) return defaultFleetDatabasePath(env)
  if (database.startsWith('file:')) {
    return database.startsWith('file://') ? fileURLToPath(database) : resolve(database.slice('file:'.length))
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(database)) {
    throw new FleetRequestError(`--database ${database.split(':')[0]}:… is not a database the fleet can use: give a SQLite file (a path or file:PATH) or a PostgreSQL URL (postgres://…).`)
  }
  return isAbsolute(database) ? database : resolve(database)
}

export function openFleetStore(path: string): FleetDb {
  mkdirSync(dirname(path), {recursive: true})
  return openStateAt(path, FLEET_MIGRATIONS)
}
