/**
 * Opens the per-repository state database (`<repo>/.pyagent/state.db`): WAL, foreign keys,
 * pending migrations applied inside one transaction, and a refusal to touch a database
 * written by a newer PyAgent.
 */
import Database from 'better-sqlite3'
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {StateDbError, StateSchemaError, stateDbError} from './errors.js'
import {LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration} from './migrations.js'
import {pyagentDir, stateDbPath} from './paths.js'

export type StateDb = Database.Database

/** How long a PyAgent waits for another to release the database before giving up. */
const BUSY_TIMEOUT_MS = 10_000

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

/**
 * Applies pending migrations. The version is read again inside the write transaction, so two
 * processes opening a new database at once cannot both run migration 1.
 */
export function migrate(db: StateDb, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.at(-1)?.version ?? 0
  const refuseNewer = (current: number) => {
    if (current > latest) {
      throw new StateSchemaError(
        `${db.name} has schema version ${current}, newer than this PyAgent understands (${latest}). ` +
          'Upgrade PyAgent, or move the file aside to start with fresh state.',
      )
    }
  }
  const seen = schemaVersion(db)
  refuseNewer(seen)
  if (seen === latest) return latest
  return db
    .transaction(() => {
      const current = schemaVersion(db)
      refuseNewer(current)
      for (const migration of migrations.filter((candidate) => candidate.version > current)) {
        db.exec(migration.sql)
        db.pragma(`user_version = ${migration.version}`)
      }
      return latest
    })
    .immediate()
}

/** A synchronous pause: opening the database is synchronous, and this wait is rare and short. */
function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/**
 * Puts the database in WAL mode. Switching a new file takes an exclusive lock, and SQLite answers
 * SQLITE_BUSY at once, without its busy handler, while another process holds any lock on it:
 * so the switch is retried here, within the same timeout. A database already in WAL needs no switch.
 */
function useWal(db: StateDb): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      if (db.pragma('journal_mode', {simple: true}) !== 'wal') db.pragma('journal_mode = WAL')
      return
    } catch (error) {
      if ((error as {code?: string}).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error
      sleepMs(wait)
    }
  }
}

/**
 * Opens (creating it if need be) the database at `path`. The busy timeout is set by the
 * constructor, before the first statement: switching a new file to WAL takes a lock that a
 * PyAgent starting at the same moment may hold. SQLite errors come out as StateDbErrors.
 */
export function openStateAt(path: string, migrations: readonly Migration[] = MIGRATIONS): StateDb {
  let db: StateDb | undefined
  try {
    db = new Database(path, {timeout: BUSY_TIMEOUT_MS})
    useWal(db)
    db.pragma('foreign_keys = ON')
    db.pragma('synchronous = NORMAL')
    migrate(db, migrations)
    return db
  } catch (error) {
    db?.close()
    throw stateDbError(error, path) ?? error
  }
}

export function openState(repoRoot: string): StateDb {
  ensureStateDir(repoRoot)
  return openStateAt(stateDbPath(repoRoot))
}

/**
 * The database for a command that only reads it: undefined when PyAgent never ran here. In a
 * repository this user cannot write, a private copy is opened instead, because SQLite's WAL
 * writes beside the file even to read it; the copy goes when the process exits.
 */
export function openStateForReading(repoRoot: string): StateDb | undefined {
  const path = stateDbPath(repoRoot)
  if (!existsSync(path)) return undefined
  try {
    return openStateAt(path)
  } catch (error) {
    if (!(error instanceof StateDbError) || error.code !== 'E_STATE_READ_ONLY') throw error
    const dir = mkdtempSync(join(tmpdir(), 'pyagent-state-'))
    process.once('exit', () => rmSync(dir, {recursive: true, force: true}))
    for (const suffix of ['', '-wal']) {
      if (existsSync(path + suffix)) copyFileSync(path + suffix, join(dir, `state.db${suffix}`))
    }
    return openStateAt(join(dir, 'state.db'))
  }
}

export {LATEST_SCHEMA_VERSION}
export {StateDbError, StateSchemaError} from './errors.js'
