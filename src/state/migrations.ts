/**
 * Numbered schema migrations. Append only: a released migration is never edited, because
 * databases in users' repositories have already run it. `PRAGMA user_version` records the last one applied.
 */
export interface Migration {
  version: number
  name: string
  sql: string
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tasks and events',
    sql: `
      CREATE TABLE tasks (
        id          TEXT PRIMARY KEY,
        parent_id   TEXT REFERENCES tasks(id),
        title       TEXT NOT NULL,
        priority    TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'highest')),
        role        TEXT NOT NULL,
        status      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
      CREATE INDEX tasks_parent ON tasks(parent_id);
      CREATE TABLE events (
        task_id     TEXT NOT NULL REFERENCES tasks(id),
        seq         INTEGER NOT NULL,
        type        TEXT NOT NULL,
        payload     TEXT NOT NULL CHECK (json_valid(payload)),
        created_at  TEXT NOT NULL,
        PRIMARY KEY (task_id, seq)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'workspace transactions, their files and the blob store',
    sql: `
      CREATE TABLE blobs (
        hash        TEXT PRIMARY KEY,
        size        INTEGER NOT NULL,
        content     BLOB NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE transactions (
        id            TEXT PRIMARY KEY,
        task_id       TEXT REFERENCES tasks(id),
        status        TEXT NOT NULL CHECK (status IN ('open', 'committing', 'committed', 'rolled_back', 'abandoned')),
        message       TEXT NOT NULL DEFAULT '',
        pid           INTEGER NOT NULL,
        undone_by     TEXT REFERENCES transactions(id),
        git_head      TEXT,
        git_dirty     INTEGER,
        created_at    TEXT NOT NULL,
        committed_at  TEXT
      );
      CREATE INDEX transactions_task ON transactions(task_id);
      CREATE INDEX transactions_status ON transactions(status);
      CREATE TABLE tx_files (
        tx_id         TEXT NOT NULL REFERENCES transactions(id),
        seq           INTEGER NOT NULL,
        path          TEXT NOT NULL,
        op            TEXT NOT NULL,
        before_hash   TEXT REFERENCES blobs(hash),
        before_mode   INTEGER,
        after_hash    TEXT REFERENCES blobs(hash),
        after_mode    INTEGER,
        lines_added   INTEGER,
        lines_removed INTEGER,
        PRIMARY KEY (tx_id, path)
      ) WITHOUT ROWID;
      CREATE TABLE tx_undoes (
        undo_tx_id    TEXT NOT NULL REFERENCES transactions(id),
        undone_tx_id  TEXT NOT NULL REFERENCES transactions(id),
        PRIMARY KEY (undo_tx_id, undone_tx_id)
      ) WITHOUT ROWID;
      CREATE TABLE tx_locks (
        path        TEXT PRIMARY KEY,
        tx_id       TEXT NOT NULL REFERENCES transactions(id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'llm calls',
    sql: `
      CREATE TABLE llm_calls (
        id                      INTEGER PRIMARY KEY,
        task_id                 TEXT REFERENCES tasks(id),
        endpoint                TEXT NOT NULL,
        model                   TEXT NOT NULL,
        status                  TEXT NOT NULL CHECK (status IN ('ok', 'error', 'cancelled')),
        finish_reason           TEXT,
        prompt_tokens           INTEGER NOT NULL,
        completion_tokens       INTEGER NOT NULL,
        cached_tokens           INTEGER,
        usage_source            TEXT NOT NULL CHECK (usage_source IN ('server', 'estimated')),
        estimated_prompt_tokens INTEGER NOT NULL,
        attempts                INTEGER NOT NULL,
        latency_ms              INTEGER NOT NULL,
        first_token_ms          INTEGER,
        cost_usd                REAL,
        error                   TEXT,
        created_at              TEXT NOT NULL
      );
      CREATE INDEX llm_calls_task ON llm_calls(task_id);
    `,
  },
  {
    version: 4,
    name: 'task lineage and outcome',
    sql: `
      ALTER TABLE tasks ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE tasks ADD COLUMN summary TEXT;
      ALTER TABLE tasks ADD COLUMN tx_id TEXT;
      ALTER TABLE tasks ADD COLUMN tokens INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE tasks ADD COLUMN cost_usd REAL NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 5,
    name: 'the process running a task, so a dead one can be told from a running one',
    sql: `
      ALTER TABLE tasks ADD COLUMN pid INTEGER;
    `,
  },
  {
    version: 6,
    name: 'what a server was found to need, by its identity',
    sql: `
      CREATE TABLE server_capabilities (
        server          TEXT PRIMARY KEY,
        structured_form TEXT,
        tool_streaming  INTEGER,
        updated_at      TEXT NOT NULL
      );
    `,
  },
  {
    version: 7,
    name: 'the repository map\'s tags, by content',
    sql: `
      CREATE TABLE repo_map_tags (
        hash      TEXT NOT NULL,
        language  TEXT NOT NULL,
        version   INTEGER NOT NULL,
        tags      TEXT,
        skipped   TEXT,
        CHECK ((tags IS NULL) <> (skipped IS NULL)),
        PRIMARY KEY (hash, language)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 8,
    name: 'learned facts, and their full-text index',
    sql: `
      CREATE TABLE facts (
        id            INTEGER PRIMARY KEY,
        kind          TEXT NOT NULL,
        text          TEXT NOT NULL,
        source        TEXT NOT NULL,
        strength      REAL NOT NULL CHECK (strength > 0),
        uses          INTEGER NOT NULL,
        created_at    INTEGER NOT NULL,
        last_used_at  INTEGER NOT NULL,
        UNIQUE (kind, text)
      );
      -- A fact's text never changes (other text is another fact), so inserts and deletes keep the index whole.
      CREATE VIRTUAL TABLE facts_fts USING fts5(
        text, content = 'facts', content_rowid = 'id', tokenize = 'porter unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER facts_fts_insert AFTER INSERT ON facts BEGIN
        INSERT INTO facts_fts (rowid, text) VALUES (new.id, new.text);
      END;
      CREATE TRIGGER facts_fts_delete AFTER DELETE ON facts BEGIN
        INSERT INTO facts_fts (facts_fts, rowid, text) VALUES ('delete', old.id, old.text);
      END;
    `,
  },
  {
    version: 9,
    name: 'the code index: each file\'s functions and classes, their words, and their vectors',
    sql: `
      CREATE TABLE code_files (
        path     TEXT PRIMARY KEY,
        hash     TEXT NOT NULL,
        version  INTEGER NOT NULL,
        skipped  TEXT
      ) WITHOUT ROWID;
      CREATE TABLE code_units (
        id          INTEGER PRIMARY KEY,
        path        TEXT NOT NULL REFERENCES code_files(path) ON DELETE CASCADE,
        name        TEXT NOT NULL,
        kind        TEXT NOT NULL,
        start_line  INTEGER NOT NULL,
        end_line    INTEGER NOT NULL,
        text        TEXT NOT NULL
      );
      CREATE INDEX code_units_by_path ON code_units(path);
      -- Contentless: the columns hold words the indexer split out of identifiers (parseHeader:
      -- parse header parseheader), which no table keeps; a unit's text is in code_units.
      CREATE VIRTUAL TABLE code_units_fts USING fts5(
        name, path, body, content = '', contentless_delete = 1, tokenize = 'porter unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER code_units_fts_delete AFTER DELETE ON code_units BEGIN
        DELETE FROM code_units_fts WHERE rowid = old.id;
      END;
      -- Float32 vectors by the embeddings model that made them; another model's are not compared.
      CREATE TABLE code_unit_vectors (
        unit_id  INTEGER PRIMARY KEY REFERENCES code_units(id) ON DELETE CASCADE,
        model    TEXT NOT NULL,
        vector   BLOB NOT NULL
      );
    `,
  },
  {
    version: 10,
    name: 'MCP servers a repository defines that the user approved',
    sql: `
      CREATE TABLE mcp_approvals (
        server       TEXT PRIMARY KEY,
        fingerprint  TEXT NOT NULL,
        approved_at  INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 11,
    name: "facts' ids never reused",
    // A fact's id is held outside the table: by a task that reinforces the facts it was given
    // when it succeeds, and by a person between `memory list` and `memory forget`. Without
    // AUTOINCREMENT SQLite gives a new row the id of the last one deleted, so a stale id would
    // reinforce or forget another fact. SQLite adds AUTOINCREMENT only to a new table: the facts
    // move over with their ids, and the full-text index is built again from them.
    sql: `
      CREATE TABLE facts_autoincrement (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        kind          TEXT NOT NULL,
        text          TEXT NOT NULL,
        source        TEXT NOT NULL,
        strength      REAL NOT NULL CHECK (strength > 0),
        uses          INTEGER NOT NULL,
        created_at    INTEGER NOT NULL,
        last_used_at  INTEGER NOT NULL,
        UNIQUE (kind, text)
      );
      INSERT INTO facts_autoincrement (id, kind, text, source, strength, uses, created_at, last_used_at)
        SELECT id, kind, text, source, strength, uses, created_at, last_used_at FROM facts;
      DROP TRIGGER facts_fts_insert;
      DROP TRIGGER facts_fts_delete;
      DROP TABLE facts_fts;
      DROP TABLE facts;
      ALTER TABLE facts_autoincrement RENAME TO facts;
      CREATE VIRTUAL TABLE facts_fts USING fts5(
        text, content = 'facts', content_rowid = 'id', tokenize = 'porter unicode61 remove_diacritics 2'
      );
      INSERT INTO facts_fts (facts_fts) VALUES ('rebuild');
      CREATE TRIGGER facts_fts_insert AFTER INSERT ON facts BEGIN
        INSERT INTO facts_fts (rowid, text) VALUES (new.id, new.text);
      END;
      CREATE TRIGGER facts_fts_delete AFTER DELETE ON facts BEGIN
        INSERT INTO facts_fts (facts_fts, rowid, text) VALUES ('delete', old.id, old.text);
      END;
    `,
  },
]

export const LATEST_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0
