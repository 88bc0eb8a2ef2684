/**
 * Checking the state database for damage, and `pyagent doctor --repair`: a damaged database is
 * moved aside (with its WAL and shared-memory files), never deleted, and a fresh one takes its
 * place. SQLite cannot be trusted to read a damaged file back, so nothing is copied out of it.
 */
import {existsSync, renameSync} from 'node:fs'

import {openStateAt, schemaVersion} from './db.js'
import {isCorruption, StateDbError, stateDbError} from './errors.js'

export type StateHealth = {status: 'absent'} | {status: 'ok'; schemaVersion: number} | {status: 'damaged' | 'unusable'; error: StateDbError}

/** Opens the database and has SQLite check every page; never throws. */
export function checkStateHealth(path: string): StateHealth {
  if (!existsSync(path)) return {status: 'absent'}
  try {
    const db = openStateAt(path)
    try {
      const problems = db.pragma('quick_check', {simple: false}) as {quick_check: string}[]
      if (problems.some((row) => row.quick_check !== 'ok')) {
        throw Object.assign(new Error(`integrity check: ${problems.map((row) => row.quick_check).slice(0, 3).join('; ')}`), {code: 'SQLITE_CORRUPT'})
      }
      return {status: 'ok', schemaVersion: schemaVersion(db)}
    } finally {
      db.close()
    }
  } catch (error) {
    const stateError = stateDbError(error, path) ?? new StateDbError('E_STATE_IO', `${path}: ${(error as Error).message}`)
    return {status: isCorruption(error) || stateError.code === 'E_STATE_CORRUPT' ? 'damaged' : 'unusable', error: stateError}
  }
}

export interface StateRepair {
  /** Where the damaged database now is; undefined when it was healthy and left alone. */
  movedTo?: string
  health: StateHealth
}

/** Moves a damaged database aside as `state.db.damaged-<time>` and opens a fresh one; a healthy one is left alone. */
export function repairState(path: string, now: Date = new Date()): StateRepair {
  const health = checkStateHealth(path)
  if (health.status !== 'damaged') return {health}
  const movedTo = `${path}.damaged-${now.toISOString().replace(/[:.]/g, '-')}`
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, movedTo + suffix)
  }
  renameSync(path, movedTo)
  openStateAt(path).close()
  return {movedTo, health: checkStateHealth(path)}
}
