/** `--database` to a FleetStore: a PostgreSQL URL (postgres://, postgresql://) or a SQLite file (a path, file:PATH, or the default). */
import {homedir} from 'node:os'
import {dirname, join} from 'node:path'

import type {FleetStore} from './fleet-store.js'
import {PostgresFleetStore} from './postgres/store.js'
import {isPostgresUrl} from './postgres/url.js'
import {SqliteFleetStore} from './sqlite-store.js'
import {fleetDatabasePath} from './store.js'

export interface ConnectOptions {
  /** The server keeps pg-boss's maintenance; worker processes only take and run tasks. */
  role: 'server' | 'worker'
}

export async function connectFleetStore(database: string | undefined, options: ConnectOptions): Promise<FleetStore> {
  if (database !== undefined && isPostgresUrl(database)) return PostgresFleetStore.open(database, {maintain: options.role === 'server', connections: options.role === 'server' ? 10 : 3})
  return SqliteFleetStore.open(fleetDatabasePath(database))
}

/** Where this machine keeps the fleet's worktrees and mirrors: beside a SQLite file, or in the user data directory for PostgreSQL. */
export function localFleetDir(database: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (database !== undefined && isPostgresUrl(database)) return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'pyagent', 'fleet')
  return dirname(fleetDatabasePath(database, env))
}
