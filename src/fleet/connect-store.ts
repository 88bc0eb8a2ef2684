/** `--database` to a FleetStore: a PostgreSQL URL (postgres://, postgresql://) or a SQLite file (a path, file:PATH, or the default). */
import {mkdirSync} from 'node:fs'
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

/** Where this machine makes the fleet's task worktrees and keeps its mirrors: beside a SQLite file, or in the user data directory for PostgreSQL. */
export function localFleetDirs(database: string | undefined, env: NodeJS.ProcessEnv = process.env): {workDir: string; mirrorDir: string} {
  const base = database !== undefined && isPostgresUrl(database) ? join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'pyagent', 'fleet') : dirname(fleetDatabasePath(database, env))
  const workDir = join(base, 'worktrees')
  mkdirSync(workDir, {recursive: true})
  return {workDir, mirrorDir: join(base, 'mirrors')}
}
