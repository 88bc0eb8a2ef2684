import Database from 'better-sqlite3'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {openState, openStateAt, schemaVersion, StateSchemaError} from '../../src/state/db.js'
import {appendEvent, listEvents} from '../../src/state/events.js'
import {LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration} from '../../src/state/migrations.js'
import {stateDbPath} from '../../src/state/paths.js'
import {createTask, getTask, setTaskStatus} from '../../src/state/tasks.js'
import {tempDir} from '../support/temp-repo.js'

function tables(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {name: string}[]).map(
    (row) => row.name,
  )
}

describe('state database', () => {
  it('creates .pyagent/state.db, git-ignored, in WAL mode, migrated to the latest schema', () => {
    const repoRoot = tempDir()
    const db = openState(repoRoot)
    expect(existsSync(stateDbPath(repoRoot))).toBe(true)
    expect(readFileSync(join(repoRoot, '.pyagent', '.gitignore'), 'utf8')).toMatch(/^\*$/m)
    expect(db.pragma('journal_mode', {simple: true})).toBe('wal')
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION)
    expect(tables(db)).toEqual(expect.arrayContaining(['events', 'tasks']))
    db.close()
  })

  it('reopens an existing database without re-running migrations and keeps its rows', () => {
    const repoRoot = tempDir()
    const first = openState(repoRoot)
    const task = createTask(first, {title: 'keep me', role: 'coder'})
    first.close()
    const second = openState(repoRoot)
    expect(getTask(second, task.id)?.title).toBe('keep me')
    expect(schemaVersion(second)).toBe(LATEST_SCHEMA_VERSION)
    second.close()
  })

  it('applies only the pending migrations when the binary is newer than the database', () => {
    const path = join(tempDir(), 'state.db')
    openStateAt(path).close()
    const extra: Migration = {version: LATEST_SCHEMA_VERSION + 1, name: 'notes', sql: 'CREATE TABLE notes (body TEXT)'}
    const db = openStateAt(path, [...MIGRATIONS, extra])
    expect(schemaVersion(db)).toBe(extra.version)
    expect(tables(db)).toContain('notes')
    db.close()
  })

  it('refuses a database whose schema is newer than this binary, saying what to do', () => {
    const path = join(tempDir(), 'state.db')
    const raw = new Database(path)
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`)
    raw.close()
    expect(() => openStateAt(path)).toThrow(StateSchemaError)
    expect(() => openStateAt(path)).toThrow(/newer than this PyAgent understands.*Upgrade PyAgent/)
  })

  it('rolls back every migration of a batch when one fails', () => {
    const path = join(tempDir(), 'state.db')
    const broken: Migration[] = [
      ...MIGRATIONS,
      {version: LATEST_SCHEMA_VERSION + 1, name: 'ok', sql: 'CREATE TABLE a (x)'},
      {version: LATEST_SCHEMA_VERSION + 2, name: 'broken', sql: 'CREATE TABLE b (x); SELECT * FROM missing_table'},
    ]
    expect(() => openStateAt(path, broken)).toThrow(/missing_table/)
    const db = new Database(path)
    expect(schemaVersion(db)).toBe(0)
    expect(tables(db)).toEqual([])
    db.close()
  })
})

describe('tasks and events', () => {
  it('records tasks with lineage and numbers events per task', () => {
    const db = openState(tempDir())
    const parent = createTask(db, {title: 'parent', role: 'auto', priority: 'high'})
    const child = createTask(db, {title: 'child', role: 'coder', parentId: parent.id})
    expect(getTask(db, child.id)).toMatchObject({parent_id: parent.id, priority: 'normal', status: 'pending'})
    expect(appendEvent(db, child.id, 'tool_call', {tool: 'read_file'})).toBe(1)
    expect(appendEvent(db, child.id, 'tool_result', {ok: true})).toBe(2)
    expect(appendEvent(db, parent.id, 'note', {})).toBe(1)
    expect(listEvents(db, child.id).map((event) => [event.seq, event.type, event.payload])).toEqual([
      [1, 'tool_call', {tool: 'read_file'}],
      [2, 'tool_result', {ok: true}],
    ])
    setTaskStatus(db, child.id, 'done')
    expect(getTask(db, child.id)?.status).toBe('done')
    db.close()
  })

  it('enforces lineage and priorities in the schema', () => {
    const db = openState(tempDir())
    expect(() => createTask(db, {title: 'orphan', role: 'coder', parentId: 'no-such-task'})).toThrow(/FOREIGN KEY/)
    expect(() => createTask(db, {title: 'x', role: 'coder', priority: 'urgent' as never})).toThrow(/CHECK/)
    db.close()
  })
})
