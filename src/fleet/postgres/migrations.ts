/**
 * The fleet's schema in PostgreSQL, beside pg-boss's own: tasks with their claims, and each
 * task's numbered events. Triggers NOTIFY every change (a task's status or cancel flag, an event
 * appended) on one channel, so that the server's event streams and the workers on other machines
 * hear of it at once; the state itself is always read back from the tables.
 */
export const FLEET_SCHEMA = 'pyagent_fleet'
export const BOSS_SCHEMA = 'pyagent_fleet_boss'
export const CHANGE_CHANNEL = 'pyagent_fleet'

export interface PostgresMigration {
  version: number
  name: string
  sql: string
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'fleet tasks, their numbered events, and a notice of every change',
    sql: `
      CREATE TABLE ${FLEET_SCHEMA}.tasks (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        repository text NOT NULL,
        base_ref text,
        task text NOT NULL,
        role text NOT NULL,
        priority text NOT NULL,
        priority_rank integer NOT NULL,
        approve text NOT NULL,
        budgets json NOT NULL,
        status text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL,
        worker text,
        job_id uuid,
        heartbeat_at timestamptz,
        cancel_requested boolean NOT NULL DEFAULT false,
        exit_code integer,
        summary text,
        error text,
        branch text,
        base_commit text,
        commit_sha text,
        patch text,
        files json NOT NULL DEFAULT '[]',
        tokens bigint NOT NULL DEFAULT 0,
        cost_usd double precision NOT NULL DEFAULT 0,
        last_event_seq integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        started_at timestamptz,
        finished_at timestamptz
      );
      CREATE INDEX tasks_status ON ${FLEET_SCHEMA}.tasks (status, priority_rank DESC, seq);
      CREATE INDEX tasks_running ON ${FLEET_SCHEMA}.tasks (heartbeat_at) WHERE status = 'running';
      CREATE TABLE ${FLEET_SCHEMA}.events (
        task_id uuid NOT NULL REFERENCES ${FLEET_SCHEMA}.tasks (id),
        seq integer NOT NULL,
        attempt integer NOT NULL,
        event json NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (task_id, seq)
      );
      CREATE FUNCTION ${FLEET_SCHEMA}.notify_task() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('task', NEW.id, 'status', NEW.status, 'cancelRequested', NEW.cancel_requested)::text);
        RETURN NULL;
      END $$;
      CREATE TRIGGER tasks_notify AFTER INSERT OR UPDATE OF status, cancel_requested ON ${FLEET_SCHEMA}.tasks
        FOR EACH ROW EXECUTE FUNCTION ${FLEET_SCHEMA}.notify_task();
      CREATE FUNCTION ${FLEET_SCHEMA}.notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('task', NEW.task_id, 'seq', NEW.seq)::text);
        RETURN NULL;
      END $$;
      CREATE TRIGGER events_notify AFTER INSERT ON ${FLEET_SCHEMA}.events
        FOR EACH ROW EXECUTE FUNCTION ${FLEET_SCHEMA}.notify_event();
    `,
  },
]
