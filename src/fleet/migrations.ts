/**
 * The fleet's own schema, in its own SQLite file: the queue, the tasks' results and their
 * numbered events. Separate from a repository's `.pyagent/state.db`, which the fleet never shares.
 */
import type {Migration} from '../state/migrations.js'

export const FLEET_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'fleet tasks and their numbered events',
    sql: `
      CREATE TABLE fleet_tasks (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        repository TEXT NOT NULL,
        base_ref TEXT,
        task TEXT NOT NULL,
        role TEXT NOT NULL,
        priority TEXT NOT NULL,
        priority_rank INTEGER NOT NULL,
        approve TEXT NOT NULL,
        budgets TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        worker TEXT,
        heartbeat_at INTEGER,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        exit_code INTEGER,
        summary TEXT,
        error TEXT,
        branch TEXT,
        base_commit TEXT,
        commit_sha TEXT,
        patch TEXT,
        files TEXT NOT NULL DEFAULT '[]',
        tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER
      );
      CREATE INDEX fleet_tasks_queue ON fleet_tasks (status, priority_rank DESC, seq);
      CREATE TABLE fleet_events (
        task_id TEXT NOT NULL REFERENCES fleet_tasks(id),
        seq INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        event TEXT NOT NULL,
        PRIMARY KEY (task_id, seq)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'when each fleet event was recorded and its type, for the dashboard\'s figures',
    // The type is computed from the event, and stored only in the indexes: the figures count events by type without parsing each one.
    // Both indexes lead with the type, so that no lookup by task alone (the next event's number, on every append) is planned through them.
    sql: `
      ALTER TABLE fleet_events ADD COLUMN recorded_at INTEGER;
      ALTER TABLE fleet_events ADD COLUMN type TEXT GENERATED ALWAYS AS (json_extract(event, '$.type')) VIRTUAL;
      CREATE INDEX fleet_events_by_type ON fleet_events (type, recorded_at);
      CREATE INDEX fleet_events_by_type_task ON fleet_events (type, task_id, attempt);
    `,
  },
]
