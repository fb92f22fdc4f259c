import pg from 'pg';
import { MIGRATIONS, renderMigration } from '../migrations.js';
import { PREBUILD_COLUMNS, prebuildWhere, toColumnValue, toDecision, toLane, toPrebuild, toSchedule, toToken } from '../rows.js';
import type {
  PageSession,
  ApiTokenRecord,
  ConfigurationOverrides,
  ConfigurationState,
  DecisionRecord,
  LaneState,
  NewDecision,
  NewPrebuild,
  PrebuildCondition,
  PrebuildFilter,
  PrebuildPatch,
  PrebuildRecord,
  RepoRef,
  ScheduleRecord,
  Store,
  UpdateOptions,
} from '../types.js';
import { PostgresRestores } from './restores.js';

/** Key of the lock held while migrating, so replicas starting together migrate once. */
const MIGRATE_LOCK = 'prebuilds:migrate';

/**
 * Connections per replica for processing, by default. Processing runs one statement after
 * another per delivery and is bound by the app's own CPU, so a few connections keep it
 * busy; more only queue more statements on the database's CPU at once, where the inbox
 * insert a webhook's answer waits for queues behind them (issue 11: 3 replicas on a
 * 2-core machine answered slower with 10 than with 3).
 */
export const DEFAULT_POOL_SIZE = 4;

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (libpq URL; `?sslmode=require` and the rest as pg reads them). */
  connectionString: string;
  /** Connections in the pool. Default {@link DEFAULT_POOL_SIZE}. */
  poolSize?: number;
  /**
   * Connections kept apart for recording webhook deliveries (the insert GitHub's answer
   * waits for), so it never queues behind processing queries. Default 1: one recording
   * statement runs at a time (src/store/postgres/record-batch.ts); a second connection
   * only stands by for a broken one.
   */
  recordPoolSize?: number;
  /** Called when an idle pooled connection fails (the database restarted); the pool replaces it. */
  onError?: (error: Error) => void;
}

/** Reads BIGINT (int8) and NUMERIC as numbers: ids, sequences and epoch ms all fit in 2^53. */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * The PostgreSQL store (pg's Pool): for several app replicas on one database. Same
 * schema and semantics as {@link SqliteStore} (one migration list, one contract test
 * suite); every method is one statement or one transaction, so it is atomic on its
 * own. The pool reconnects after the database restarts; a query that fails meanwhile
 * throws (a webhook then gets a 5xx and GitHub redelivers; a delivery is retried).
 */
export class PostgresStore extends PostgresRestores implements Store {
  readonly dialect = 'postgres' as const;

  constructor(options: PostgresStoreOptions) {
    const pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? DEFAULT_POOL_SIZE, types: TYPES });
    const recordPool = new pg.Pool({ connectionString: options.connectionString, max: options.recordPoolSize ?? 1, types: TYPES });
    // Without a listener an idle connection's error (a restarted server) would crash the process.
    pool.on('error', (error) => options.onError?.(error));
    recordPool.on('error', (error) => options.onError?.(error));
    super(pool, recordPool);
  }

  async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [MIGRATE_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
      const applied = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r: { version: number }) => Number(r.version)));
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        for (const sql of renderMigration(m, 'postgres')) await client.query(sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
      }
    });
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
    if (!this.recordPool.ended) await this.recordPool.end();
  }

  // ---- prebuilds ----

  async createPrebuild(input: NewPrebuild, options: { lane?: LaneState } = {}): Promise<PrebuildRecord> {
    const record: Partial<PrebuildRecord> = { state: 'waiting', ...input, createdAt: Date.now() };
    const fields = Object.keys(record).filter((f) => f in PREBUILD_COLUMNS && f !== 'id');
    const values = fields.map((f) => toColumnValue(f, record[f as keyof PrebuildRecord]));
    const { lane } = options;
    // One statement: the lane's state (a data-modifying WITH, run whether or not the prebuild existed) and the prebuild land together.
    const withLane = lane ? `WITH lane AS (${LANE_UPSERT(fields.length)}) ` : '';
    const laneValues = lane ? laneRow(input, input.configuration, input.branch, lane) : [];
    const [row] = await this.rows(
      `${withLane}INSERT INTO prebuilds (${fields.map((f) => PREBUILD_COLUMNS[f as keyof PrebuildRecord]).join(', ')})
       VALUES (${fields.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (delivery_id, configuration) DO NOTHING RETURNING *`,
      [...values, ...laneValues],
    );
    if (row) return toPrebuild(row);
    // A reprocessed delivery: return the prebuild it already created.
    const [existing] = await this.rows('SELECT * FROM prebuilds WHERE delivery_id = $1 AND configuration = $2', [
      input.deliveryId ?? null,
      input.configuration,
    ]);
    return toPrebuild(existing!);
  }

  async updatePrebuild(id: number, patch: PrebuildPatch, options: UpdateOptions = {}): Promise<PrebuildRecord> {
    const fields = Object.keys(patch).filter((f) => f in PREBUILD_COLUMNS);
    const decisions = options.decisions ?? [];
    // Every commit is durable on PostgreSQL (`synchronous_commit` as the server sets it): `durable` asks nothing more.
    const update = async (client: Pick<pg.PoolClient, 'query'>) => {
      const [row] = fields.length
        ? (
            await client.query(
              `UPDATE prebuilds SET ${fields.map((f, i) => `${PREBUILD_COLUMNS[f as keyof PrebuildRecord]} = $${i + 1}`).join(', ')} WHERE id = $${fields.length + 1} RETURNING *`,
              [...fields.map((f) => toColumnValue(f, (patch as Record<string, unknown>)[f])), id],
            )
          ).rows
        : (await client.query('SELECT * FROM prebuilds WHERE id = $1', [id])).rows;
      if (!row) throw new Error(`prebuild ${id} does not exist`);
      if (decisions.length > 0) await insertDecisions(client, decisions);
      return toPrebuild(row);
    };
    // With decisions: one transaction, so the patch and its decisions land together or neither does.
    return decisions.length > 0 ? this.transaction(update) : update(this.pool);
  }

  // Every commit is durable on PostgreSQL: `durable` asks nothing more.
  async updatePrebuildIf(
    id: number,
    expected: PrebuildCondition,
    patch: PrebuildPatch,
    _options: Pick<UpdateOptions, 'durable'> = {},
  ): Promise<PrebuildRecord | null> {
    const fields = Object.keys(patch).filter((f) => f in PREBUILD_COLUMNS);
    const conditions = Object.keys(expected).filter((f) => f in PREBUILD_COLUMNS);
    const column = (f: string) => PREBUILD_COLUMNS[f as keyof PrebuildRecord];
    const values: unknown[] = [...fields.map((f) => toColumnValue(f, (patch as Record<string, unknown>)[f])), id];
    // No field to set: the same update sets id to itself.
    const sets = fields.length > 0 ? fields.map((f, i) => `${column(f)} = $${i + 1}`).join(', ') : 'id = id';
    const where = [`id = $${values.length}`];
    for (const f of conditions) {
      values.push(toColumnValue(f, (expected as Record<string, unknown>)[f]));
      where.push(`${column(f)} IS NOT DISTINCT FROM $${values.length}`);
    }
    const [row] = await this.rows(`UPDATE prebuilds SET ${sets} WHERE ${where.join(' AND ')} RETURNING *`, values);
    return row ? toPrebuild(row) : null;
  }

  async getPrebuild(id: number): Promise<PrebuildRecord | null> {
    const [row] = await this.rows('SELECT * FROM prebuilds WHERE id = $1', [id]);
    return row ? toPrebuild(row) : null;
  }

  async findPrebuildByRun(repo: RepoRef, workflowRunId: number): Promise<PrebuildRecord | null> {
    const [row] = await this.rows('SELECT * FROM prebuilds WHERE owner = $1 AND repo = $2 AND workflow_run_id = $3', [repo.owner, repo.repo, workflowRunId]);
    return row ? toPrebuild(row) : null;
  }

  async listPrebuilds(filter: PrebuildFilter): Promise<PrebuildRecord[]> {
    const { where, values } = prebuildWhere(filter, (n) => `$${n}`);
    const rows = await this.rows(`SELECT * FROM prebuilds ${where} ORDER BY id DESC LIMIT $${values.length + 1}`, [...values, filter.limit ?? 100]);
    return rows.map(toPrebuild);
  }

  async repositoryInstallation(repo: RepoRef): Promise<number | null> {
    const [row] = await this.rows('SELECT installation_id FROM prebuilds WHERE owner = $1 AND repo = $2 ORDER BY id DESC LIMIT 1', [repo.owner, repo.repo]);
    return row ? Number(row.installation_id) : null;
  }

  // ---- decisions ----

  async recordDecision(d: NewDecision): Promise<void> {
    await insertDecisions(this.pool, [d]);
  }

  async listDecisions(repo: RepoRef, sha: string): Promise<DecisionRecord[]> {
    const rows = await this.rows(`SELECT * FROM decisions WHERE owner = $1 AND repo = $2 AND (sha = $3 OR sha LIKE $3::text || '%') ORDER BY id`, [
      repo.owner,
      repo.repo,
      sha,
    ]);
    return rows.map(toDecision);
  }

  // ---- lanes ----

  async getLane(repo: RepoRef, configuration: string, branch: string): Promise<LaneState> {
    const [row] = await this.rows('SELECT * FROM lanes WHERE owner = $1 AND repo = $2 AND configuration = $3 AND branch = $4', [
      repo.owner,
      repo.repo,
      configuration,
      branch,
    ]);
    return toLane(row);
  }

  async setLane(repo: RepoRef, configuration: string, branch: string, state: LaneState): Promise<void> {
    await this.pool.query(LANE_UPSERT(0), laneRow(repo, configuration, branch, state));
  }

  async forgetBranch(repo: RepoRef, branch: string): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('DELETE FROM lanes WHERE owner = $1 AND repo = $2 AND branch = $3', [repo.owner, repo.repo, branch]);
      await client.query('DELETE FROM schedules WHERE owner = $1 AND repo = $2 AND branch = $3', [repo.owner, repo.repo, branch]);
    });
  }

  // ---- schedules ----

  async setSchedule(repo: RepoRef, configuration: string, branch: string, schedule: { cron: string; installationId: number } | null): Promise<void> {
    const key = [repo.owner, repo.repo, configuration, branch];
    if (!schedule) {
      await this.pool.query('DELETE FROM schedules WHERE owner = $1 AND repo = $2 AND configuration = $3 AND branch = $4', key);
      return;
    }
    await this.pool.query(
      `INSERT INTO schedules (owner, repo, configuration, branch, cron, installation_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (owner, repo, configuration, branch) DO UPDATE SET cron = excluded.cron, installation_id = excluded.installation_id,
         updated_at = CASE WHEN schedules.cron = excluded.cron THEN schedules.updated_at ELSE excluded.updated_at END`,
      [...key, schedule.cron, schedule.installationId, Date.now()],
    );
  }

  async listSchedules(): Promise<ScheduleRecord[]> {
    return (await this.rows('SELECT * FROM schedules ORDER BY owner, repo, configuration, branch')).map(toSchedule);
  }

  async markScheduleFired(repo: RepoRef, configuration: string, branch: string, at: number): Promise<void> {
    await this.pool.query('UPDATE schedules SET last_fired_at = $1 WHERE owner = $2 AND repo = $3 AND configuration = $4 AND branch = $5', [
      at,
      repo.owner,
      repo.repo,
      configuration,
      branch,
    ]);
  }

  // ---- settings ----

  async getConfigurationState(repo: RepoRef, configuration: string): Promise<ConfigurationState> {
    const [row] = await this.rows('SELECT paused FROM configurations WHERE owner = $1 AND repo = $2 AND name = $3', [repo.owner, repo.repo, configuration]);
    return { paused: Number(row?.paused ?? 0) === 1 };
  }

  async setConfigurationState(repo: RepoRef, configuration: string, state: ConfigurationState): Promise<void> {
    await this.pool.query(
      `INSERT INTO configurations (owner, repo, name, paused) VALUES ($1, $2, $3, $4) ON CONFLICT (owner, repo, name) DO UPDATE SET paused = excluded.paused`,
      [repo.owner, repo.repo, configuration, state.paused ? 1 : 0],
    );
  }

  async listConfigurations(repo: RepoRef): Promise<string[]> {
    const rows = await this.rows(
      `SELECT configuration AS name FROM prebuilds WHERE owner = $1 AND repo = $2
       UNION SELECT name FROM configurations WHERE owner = $1 AND repo = $2
       UNION SELECT name FROM configuration_overrides WHERE owner = $1 AND repo = $2
       ORDER BY name`,
      [repo.owner, repo.repo],
    );
    return rows.map((r) => String(r.name)).filter((n) => n !== '*');
  }

  async getOverrides(repo: RepoRef, configuration: string): Promise<ConfigurationOverrides> {
    const [row] = await this.rows('SELECT overrides FROM configuration_overrides WHERE owner = $1 AND repo = $2 AND name = $3', [
      repo.owner,
      repo.repo,
      configuration,
    ]);
    return row ? (JSON.parse(String(row.overrides)) as ConfigurationOverrides) : {};
  }

  async setOverrides(repo: RepoRef, configuration: string, overrides: ConfigurationOverrides | null): Promise<void> {
    if (!overrides || Object.keys(overrides).length === 0) {
      await this.pool.query('DELETE FROM configuration_overrides WHERE owner = $1 AND repo = $2 AND name = $3', [repo.owner, repo.repo, configuration]);
      return;
    }
    await this.pool.query(
      `INSERT INTO configuration_overrides (owner, repo, name, overrides, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (owner, repo, name) DO UPDATE SET overrides = excluded.overrides, updated_at = excluded.updated_at`,
      [repo.owner, repo.repo, configuration, JSON.stringify(overrides), Date.now()],
    );
  }

  // ---- tokens ----

  async createToken(token: Pick<ApiTokenRecord, 'name' | 'tokenHash' | 'scopes'>): Promise<ApiTokenRecord> {
    const [row] = await this.rows('INSERT INTO api_tokens (name, token_hash, scopes, created_at) VALUES ($1, $2, $3, $4) RETURNING *', [
      token.name,
      token.tokenHash,
      JSON.stringify(token.scopes),
      Date.now(),
    ]);
    return toToken(row!);
  }

  async useToken(tokenHash: string): Promise<ApiTokenRecord | null> {
    const [row] = await this.rows('UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL RETURNING *', [Date.now(), tokenHash]);
    return row ? toToken(row) : null;
  }

  async listTokens(): Promise<ApiTokenRecord[]> {
    return (await this.rows('SELECT * FROM api_tokens ORDER BY id')).map(toToken);
  }

  async revokeToken(id: number): Promise<boolean> {
    return this.transaction(async (client) => {
      const revoked =
        ((await client.query('UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [Date.now(), id])).rowCount ?? 0) === 1;
      await client.query('DELETE FROM page_sessions WHERE token_id = $1', [id]);
      return revoked;
    });
  }

  async createSession(session: PageSession): Promise<void> {
    await this.pool.query('DELETE FROM page_sessions WHERE expires_at < $1', [session.createdAt]);
    await this.pool.query('INSERT INTO page_sessions (id_hash, token_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
      session.idHash,
      session.tokenId,
      session.createdAt,
      session.expiresAt,
    ]);
  }

  async useSession(idHash: string, now: number): Promise<ApiTokenRecord | null> {
    const [row] = await this.rows(
      `UPDATE api_tokens t SET last_used_at = $2 FROM page_sessions s
       WHERE s.id_hash = $1 AND s.expires_at > $2 AND t.id = s.token_id AND t.revoked_at IS NULL RETURNING t.*`,
      [idHash, now],
    );
    return row ? toToken(row) : null;
  }

  async revokeSession(idHash: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM page_sessions WHERE id_hash = $1', [idHash])).rowCount ?? 0) === 1;
  }
}

/** Inserts decisions in one statement (one row each, in order). */
async function insertDecisions(client: Pick<pg.PoolClient, 'query'>, decisions: readonly NewDecision[]): Promise<void> {
  const now = Date.now();
  const rows = decisions.map((_, r) => `(${Array.from({ length: 10 }, (_, c) => `$${r * 10 + c + 1}`).join(', ')})`);
  await client.query(
    `INSERT INTO decisions (delivery_id, owner, repo, sha, event, configuration, decision, reason, prebuild_id, created_at) VALUES ${rows.join(', ')}`,
    decisions.flatMap((d) => [d.deliveryId, d.owner, d.repo, d.sha, d.event, d.configuration, d.decision, d.reason, d.prebuildId, now]),
  );
}

/** The lane upsert, its 8 parameters numbered from `$${after + 1}` ({@link laneRow} gives them). */
const LANE_UPSERT = (after: number) =>
  `INSERT INTO lanes (owner, repo, configuration, branch, commits_since_trigger, last_identity, last_seq, last_run)
     VALUES (${Array.from({ length: 8 }, (_, i) => `$${after + i + 1}`).join(', ')})
     ON CONFLICT (owner, repo, configuration, branch) DO UPDATE SET commits_since_trigger = excluded.commits_since_trigger,
       last_identity = excluded.last_identity, last_seq = excluded.last_seq, last_run = excluded.last_run`;

/** The parameters of {@link LANE_UPSERT}. */
function laneRow(repo: RepoRef, configuration: string, branch: string, state: LaneState): unknown[] {
  return [repo.owner, repo.repo, configuration, branch, state.commitsSinceTrigger, state.lastIdentity, state.lastSeq ?? 0, state.lastRun ? 1 : 0];
}
