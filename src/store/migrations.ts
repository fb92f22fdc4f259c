/**
 * Schema migrations, in order. Portable SQL (SQLite and PostgreSQL): INTEGER/BIGINT,
 * TEXT, no engine-specific types; times are epoch ms in BIGINT columns. A migration
 * is never edited once released: add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string[];
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'deliveries, prebuilds, decisions, lanes, configurations',
    sql: [
      // seq keeps arrival order (deliveries recorded in one millisecond included).
      `CREATE TABLE deliveries (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        event TEXT NOT NULL,
        action TEXT,
        installation_id BIGINT,
        payload TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        processed_at BIGINT,
        error TEXT
      )`,
      `CREATE INDEX deliveries_pending ON deliveries (processed_at, seq)`,
      `CREATE TABLE prebuilds (
        id INTEGER PRIMARY KEY,
        installation_id BIGINT NOT NULL,
        owner TEXT NOT NULL,
        repo TEXT NOT NULL,
        configuration TEXT NOT NULL,
        identity TEXT NOT NULL,
        branch TEXT NOT NULL,
        sha TEXT NOT NULL,
        pr_number INTEGER,
        trigger_kind TEXT NOT NULL,
        state TEXT NOT NULL,
        workflow TEXT NOT NULL,
        timeout_minutes INTEGER NOT NULL,
        settings TEXT,
        base_key TEXT,
        base_sha TEXT,
        base_reason TEXT,
        snapshot_key TEXT,
        snapshot_bytes BIGINT,
        duration_ms BIGINT,
        hooks TEXT,
        check_run_id BIGINT,
        workflow_run_id BIGINT,
        workflow_run_url TEXT,
        reason TEXT,
        delivery_id TEXT,
        created_at BIGINT NOT NULL,
        dispatched_at BIGINT,
        started_at BIGINT,
        ended_at BIGINT
      )`,
      `CREATE INDEX prebuilds_lane ON prebuilds (owner, repo, configuration, branch, state)`,
      `CREATE INDEX prebuilds_sha ON prebuilds (owner, repo, sha)`,
      `CREATE INDEX prebuilds_run ON prebuilds (owner, repo, workflow_run_id)`,
      // One delivery creates at most one prebuild per configuration, even when reprocessed.
      `CREATE UNIQUE INDEX prebuilds_delivery ON prebuilds (delivery_id, configuration)`,
      `CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        delivery_id TEXT,
        owner TEXT NOT NULL,
        repo TEXT NOT NULL,
        sha TEXT NOT NULL,
        event TEXT NOT NULL,
        configuration TEXT NOT NULL,
        decision TEXT NOT NULL,
        reason TEXT NOT NULL,
        prebuild_id INTEGER,
        created_at BIGINT NOT NULL
      )`,
      `CREATE INDEX decisions_sha ON decisions (owner, repo, sha)`,
      `CREATE TABLE lanes (
        owner TEXT NOT NULL,
        repo TEXT NOT NULL,
        configuration TEXT NOT NULL,
        branch TEXT NOT NULL,
        commits_since_trigger INTEGER NOT NULL,
        last_identity TEXT,
        PRIMARY KEY (owner, repo, configuration, branch)
      )`,
      `CREATE TABLE configurations (
        owner TEXT NOT NULL,
        repo TEXT NOT NULL,
        name TEXT NOT NULL,
        paused INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (owner, repo, name)
      )`,
    ],
  },
  {
    version: 2,
    name: 'API tokens, configuration overrides',
    sql: [
      // Bearer tokens of the management API: only the sha256 of the token is kept.
      `CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL,
        scopes TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        last_used_at BIGINT,
        revoked_at BIGINT
      )`,
      `CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash)`,
      // Overrides of a configuration's file values (commitInterval, triggerFiles, retention), JSON.
      `CREATE TABLE configuration_overrides (
        owner TEXT NOT NULL,
        repo TEXT NOT NULL,
        name TEXT NOT NULL,
        overrides TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (owner, repo, name)
      )`,
      `CREATE INDEX prebuilds_created ON prebuilds (owner, repo, configuration, created_at)`,
    ],
  },
  {
    version: 3,
    name: 'schedules, reported state, lane push sequence',
    sql: [
      // One row per (configuration, branch) whose settings have a cron \`schedule\`.
      `CREATE TABLE schedules (
        owner TEXT NOT NULL,
        repo TEXT NOT NULL,
        configuration TEXT NOT NULL,
        branch TEXT NOT NULL,
        cron TEXT NOT NULL,
        installation_id BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        last_fired_at BIGINT,
        PRIMARY KEY (owner, repo, configuration, branch)
      )`,
      // The state last reported to GitHub (check run); differs from \`state\` until reported.
      `ALTER TABLE prebuilds ADD COLUMN reported_state TEXT`,
      // The last push applied to a lane: a retried push is not counted twice.
      `ALTER TABLE lanes ADD COLUMN last_seq BIGINT NOT NULL DEFAULT 0`,
      `ALTER TABLE lanes ADD COLUMN last_run INTEGER NOT NULL DEFAULT 0`,
    ],
  },
  {
    version: 4,
    name: 'delivery headers and payload pruning, Prebuilds page sessions',
    sql: [
      // The GitHub headers of a delivery (JSON), kept when its payload is pruned.
      `ALTER TABLE deliveries ADD COLUMN headers TEXT`,
      // When the payload was replaced by 'null' after processing (the retention period passed).
      `ALTER TABLE deliveries ADD COLUMN pruned_at BIGINT`,
      `CREATE INDEX deliveries_prune ON deliveries (pruned_at, processed_at)`,
      // Sessions of the Prebuilds page: the cookie holds a random id, the store its sha256.
      `CREATE TABLE page_sessions (
        id_hash TEXT PRIMARY KEY,
        token_id INTEGER NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      )`,
      `CREATE INDEX page_sessions_token ON page_sessions (token_id)`,
    ],
  },
];
