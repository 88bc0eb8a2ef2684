/**
 * Opens the per-repository state database (`<repo>/.pyagent/state.db`): WAL, foreign keys,
 * pending migrations applied inside one transaction, and a refusal to touch a database
 * written by a newer PyAgent.
 */
import Database from 'better-sqlite3'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {pyagentDir, stateDbPath} from '../workspace/repo.js'
import {LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration} from './migrations.js'

export type StateDb = Database.Database

export class StateSchemaError extends Error {
  override readonly name = 'StateSchemaError'
}

/** `.pyagent/` holds machine-local state; its own .gitignore keeps it out of commits without touching the repo's. */
function ensureStateDir(repoRoot: string): void {
  const dir = pyagentDir(repoRoot)
  mkdirSync(dir, {recursive: true})
  const ignore = join(dir, '.gitignore')
  if (!existsSync(ignore)) writeFileSync(ignore, '# PyAgent state: local to this machine\n*\n')
}

export function schemaVersion(db: StateDb): number {
  return db.pragma('user_version', {simple: true}) as number
}

export function migrate(db: StateDb, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.at(-1)?.version ?? 0
  const current = schemaVersion(db)
  if (current > latest) {
    throw new StateSchemaError(
      `${db.name} has schema version ${current}, newer than this PyAgent understands (${latest}). ` +
        'Upgrade PyAgent, or move the file aside to start with fresh state.',
    )
  }
  const pending = migrations.filter((migration) => migration.version > current)
  if (pending.length === 0) return current
  db.transaction(() => {
    for (const migration of pending) {
      db.exec(migration.sql)
      db.pragma(`user_version = ${migration.version}`)
    }
  }).immediate()
  return latest
}

export function openStateAt(path: string, migrations: readonly Migration[] = MIGRATIONS): StateDb {
  const db = new Database(path)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    db.pragma('synchronous = NORMAL')
    migrate(db, migrations)
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

export function openState(repoRoot: string): StateDb {
  ensureStateDir(repoRoot)
  return openStateAt(stateDbPath(repoRoot))
}

export {LATEST_SCHEMA_VERSION}
