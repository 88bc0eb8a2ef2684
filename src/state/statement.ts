/**
 * Statements prepared once per database handle, on first use: the journal runs on the hot path
 * of every commit, and preparing parses and plans the SQL each time.
 */
import type Database from 'better-sqlite3'

import type {StateDb} from './db.js'

export function statement(sql: string): (db: StateDb) => Database.Statement {
  const prepared = new WeakMap<StateDb, Database.Statement>()
  return (db) => {
    let found = prepared.get(db)
    if (found === undefined) {
      found = db.prepare(sql)
      prepared.set(db, found)
    }
    return found
  }
}

/** A LIKE pattern (with `ESCAPE '\'`) for strings starting with `prefix`: people type the first few digits of an id. */
export function startsWith(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
}
