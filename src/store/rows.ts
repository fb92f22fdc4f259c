/**
 * Mapping between the rows of src/store/migrations.ts (snake_case columns, times in
 * epoch ms, JSON in TEXT) and the store's records; shared by the SQLite and the
 * PostgreSQL store (which reads BIGINT columns as numbers).
 */
import type {
  ApiTokenRecord,
  DecisionRecord,
  RestoreRecord,
  RestoreHit,
  DeliveryRecord,
  DeliveryStatus,
  LaneState,
  PrebuildFilter,
  PrebuildRecord,
  ScheduleRecord,
} from './types.js';

/** A row as better-sqlite3 or pg returns it. */
export type Row = Record<string, unknown>;

/** Column name of each camelCase prebuild field. */
export const PREBUILD_COLUMNS: Record<keyof PrebuildRecord, string> = {
  id: 'id',
  installationId: 'installation_id',
  owner: 'owner',
  repo: 'repo',
  configuration: 'configuration',
  identity: 'identity',
  branch: 'branch',
  sha: 'sha',
  prNumber: 'pr_number',
  trigger: 'trigger_kind',
  state: 'state',
  workflow: 'workflow',
  timeoutMinutes: 'timeout_minutes',
  settings: 'settings',
  baseKey: 'base_key',
  baseSha: 'base_sha',
  baseReason: 'base_reason',
  snapshotKey: 'snapshot_key',
  snapshotBytes: 'snapshot_bytes',
  cachesKey: 'caches_key',
  expireKeys: 'expire_keys',
  runReport: 'run_report',
  durationMs: 'duration_ms',
  hooks: 'hooks',
  checkRunId: 'check_run_id',
  workflowRunId: 'workflow_run_id',
  workflowRunUrl: 'workflow_run_url',
  reportedState: 'reported_state',
  reason: 'reason',
  deliveryId: 'delivery_id',
  createdAt: 'created_at',
  dispatchedAt: 'dispatched_at',
  startedAt: 'started_at',
  endedAt: 'ended_at',
};

/** A `prebuilds` row. */
export function toPrebuild(row: Row): PrebuildRecord {
  const out: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(PREBUILD_COLUMNS)) out[field] = row[column] ?? null;
  out.hooks = typeof row.hooks === 'string' ? JSON.parse(row.hooks) : null;
  out.settings = typeof row.settings === 'string' ? JSON.parse(row.settings) : null;
  out.expireKeys = typeof row.expire_keys === 'string' ? JSON.parse(row.expire_keys) : null;
  out.runReport = typeof row.run_report === 'string' ? JSON.parse(row.run_report) : null;
  return out as unknown as PrebuildRecord;
}

/** A prebuild field's value as its column stores it (JSON text for `hooks`, `settings`, `expireKeys` and `runReport`). */
export function toColumnValue(field: string, value: unknown): unknown {
  if (field === 'hooks' || field === 'settings' || field === 'expireKeys' || field === 'runReport') return value == null ? null : JSON.stringify(value);
  return value ?? null;
}

/** A `deliveries` row, with its body from `delivery_payloads` as `payload` (none once pruned: null). */
export function toDelivery(r: Row): DeliveryRecord {
  return {
    seq: Number(r.seq),
    id: String(r.id),
    event: String(r.event),
    action: (r.action as string | null) ?? null,
    installationId: r.installation_id == null ? null : Number(r.installation_id),
    repository: (r.repository as string | null) ?? null,
    sha: (r.sha as string | null) ?? null,
    // No body: pruned after processing (`delivery_payloads` joined in as `payload`).
    payload: r.payload == null ? null : JSON.parse(String(r.payload)),
    receivedAt: Number(r.received_at),
    attempts: Number(r.attempts),
    lastError: (r.last_error as string | null) ?? null,
    nextAttemptAt: r.next_attempt_at == null ? null : Number(r.next_attempt_at),
  };
}

/** A `deliveries` row's processing status; `now` decides whether a claim is still live. */
export function toDeliveryStatus(r: Row, now: number): DeliveryStatus {
  const processed = r.processed_at != null;
  const error = (r.error as string | null) ?? null;
  const lastError = (r.last_error as string | null) ?? null;
  const state = processed ? (error === null ? 'processed' : 'failed') : lastError === null ? 'pending' : 'retrying';
  const live = !processed && r.claimed_by != null && Number(r.claimed_until) >= now;
  return {
    id: String(r.id),
    event: String(r.event),
    action: (r.action as string | null) ?? null,
    repository: (r.repository as string | null) ?? null,
    sha: (r.sha as string | null) ?? null,
    receivedAt: Number(r.received_at),
    attempts: Number(r.attempts),
    state,
    reason: state === 'failed' ? error : state === 'retrying' ? lastError : null,
    nextAttemptAt: state === 'retrying' && r.next_attempt_at != null ? Number(r.next_attempt_at) : null,
    claimedBy: live ? String(r.claimed_by) : null,
  };
}

/** A `lanes` row, or the state of a lane never set. */
export function toLane(row: Row | undefined): LaneState {
  return row
    ? {
        commitsSinceTrigger: Number(row.commits_since_trigger),
        lastIdentity: (row.last_identity as string | null) ?? null,
        lastSeq: Number(row.last_seq),
        lastRun: Number(row.last_run) === 1,
      }
    : { commitsSinceTrigger: 0, lastIdentity: null, lastSeq: 0, lastRun: false };
}

/** A `decisions` row. */
export function toDecision(r: Row): DecisionRecord {
  return {
    id: Number(r.id),
    deliveryId: (r.delivery_id as string | null) ?? null,
    owner: String(r.owner),
    repo: String(r.repo),
    sha: String(r.sha),
    event: String(r.event),
    configuration: String(r.configuration),
    decision: String(r.decision),
    reason: String(r.reason),
    prebuildId: r.prebuild_id == null ? null : Number(r.prebuild_id),
    createdAt: Number(r.created_at),
  };
}

/** A `schedules` row. */
export function toSchedule(r: Row): ScheduleRecord {
  return {
    owner: String(r.owner),
    repo: String(r.repo),
    configuration: String(r.configuration),
    branch: String(r.branch),
    cron: String(r.cron),
    installationId: Number(r.installation_id),
    updatedAt: Number(r.updated_at),
    lastFiredAt: r.last_fired_at == null ? null : Number(r.last_fired_at),
  };
}

/** An `api_tokens` row. */
export function toToken(row: Row): ApiTokenRecord {
  return {
    id: Number(row.id),
    name: String(row.name),
    tokenHash: String(row.token_hash),
    scopes: JSON.parse(String(row.scopes)) as ApiTokenRecord['scopes'],
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at == null ? null : Number(row.last_used_at),
    revokedAt: row.revoked_at == null ? null : Number(row.revoked_at),
  };
}

/**
 * The WHERE clause (possibly empty) and values of a prebuild filter. `param(n)` writes
 * the n-th placeholder (1-based): `?` for SQLite, `$n` for PostgreSQL.
 */
export function prebuildWhere(filter: PrebuildFilter, param: (n: number) => string): { where: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const next = (value: unknown) => {
    values.push(value);
    return param(values.length);
  };
  const eq = (column: string, value: unknown) => {
    if (value !== undefined) where.push(`${column} = ${next(value)}`);
  };
  eq('owner', filter.owner);
  eq('repo', filter.repo);
  eq('configuration', filter.configuration);
  eq('branch', filter.branch);
  eq('sha', filter.sha);
  if (filter.states && filter.states.length > 0) where.push(`state IN (${filter.states.map(next).join(', ')})`);
  if (filter.unreported) {
    where.push(`(reported_state IS NULL OR reported_state <> state) AND state IN ('success', 'failure', 'cancelled', 'superseded', 'timed_out')`);
  }
  if (filter.beforeId !== undefined) where.push(`id < ${next(filter.beforeId)}`);
  if (filter.installationIds) where.push(filter.installationIds.length ? `installation_id IN (${filter.installationIds.map(next).join(', ')})` : '1 = 0');
  if (filter.createdSince !== undefined) where.push(`created_at >= ${next(filter.createdSince)}`);
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', values };
}

/**
 * The deliveries one replica may claim (`$replica`) at `$now`, at most `$limit`, in
 * arrival order: unprocessed, due (no retry pending or its time has come), not held by
 * a live lease, of a repository no other replica holds a live claim in, and among the
 * first {@link CLAIM_PER_REPOSITORY} unprocessed deliveries of their repository (a
 * repository's deliveries are handled one after another: a backlog of one must not fill
 * the claim and hold back every other repository's). Named parameters, as SQLite takes
 * them; the PostgreSQL store inlines them.
 */
export const CLAIM_PER_REPOSITORY = 8;

export const CLAIMABLE = claimableAmong('deliveries p WHERE p.processed_at IS NULL');

/**
 * {@link CLAIMABLE} among the unprocessed deliveries `pending` yields (a `FROM` clause
 * aliased `p`, with every column). A delivery's rank in its repository counts only the
 * unprocessed deliveries before it, so over any prefix of the unprocessed deliveries in
 * `seq` order the ranks are the same as over all of them: the PostgreSQL store first
 * looks among the oldest ones only (src/store/postgres/inbox.ts). `dead`, when given, is
 * a query of replica ids whose claims are void though their lease runs (dead replicas,
 * PostgreSQL's liveness locks): their deliveries and repositories count as unclaimed.
 */
export function claimableAmong(pending: string, dead?: string): string {
  return `SELECT d.seq FROM (
    SELECT p.*, ROW_NUMBER() OVER (PARTITION BY COALESCE(p.repository, '') ORDER BY p.seq) AS rank_in_repository
    FROM ${pending}) d
  WHERE d.rank_in_repository <= ${CLAIM_PER_REPOSITORY}
    AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= $now)
    AND (d.claimed_by IS NULL OR d.claimed_until < $now${dead ? ` OR d.claimed_by IN (${dead})` : ''})
    AND COALESCE(d.repository, '') NOT IN (
      SELECT COALESCE(o.repository, '') FROM deliveries o
      WHERE o.processed_at IS NULL AND o.claimed_by IS NOT NULL AND o.claimed_by <> $replica AND o.claimed_until >= $now${dead ? ` AND o.claimed_by NOT IN (${dead})` : ''})
  ORDER BY d.seq LIMIT $limit`;
}

/** A `restores` row. */
export function toRestore(r: Row): RestoreRecord {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: Number(r.id),
    installationId: Number(r.installation_id),
    owner: String(r.owner),
    repo: String(r.repo),
    repositoryId: String(r.repository_id),
    configuration: String(r.configuration),
    sha: String(r.sha),
    hit: String(r.hit) as RestoreHit,
    prebuildSha: r.prebuild_sha === null ? null : String(r.prebuild_sha),
    spentMs: Number(r.spent_ms),
    coldMs: num(r.cold_ms),
    savedMs: Number(r.saved_ms),
    runId: r.run_id === null ? null : String(r.run_id),
    runAttempt: num(r.run_attempt),
    reportId: String(r.report_id),
    createdAt: Number(r.created_at),
  };
}

/** The columns of a new `restores` row, in {@link restoreValues} order. */
export const RESTORE_INSERT_COLUMNS =
  'installation_id, owner, repo, repository_id, configuration, sha, hit, prebuild_sha, spent_ms, cold_ms, saved_ms, run_id, run_attempt, report_id, created_at';

/** The values of a new `restores` row, in {@link RESTORE_INSERT_COLUMNS} order. */
export function restoreValues(r: Omit<RestoreRecord, 'id'>): unknown[] {
  return [
    r.installationId,
    r.owner,
    r.repo,
    r.repositoryId,
    r.configuration,
    r.sha,
    r.hit,
    r.prebuildSha,
    r.spentMs,
    r.coldMs,
    r.savedMs,
    r.runId,
    r.runAttempt,
    r.reportId,
    r.createdAt,
  ];
}
