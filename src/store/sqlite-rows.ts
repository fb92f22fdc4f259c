/**
 * Mapping between the SQLite rows of src/store/migrations.ts (snake_case columns,
 * times in epoch ms, JSON in TEXT) and the store's records.
 */
import type { ApiTokenRecord, DecisionRecord, DeliveryRecord, PrebuildRecord, ScheduleRecord } from './types.js';

/** A row as better-sqlite3 returns it. */
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

export function toPrebuild(row: Row): PrebuildRecord {
  const out: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(PREBUILD_COLUMNS)) out[field] = row[column] ?? null;
  out.hooks = typeof row.hooks === 'string' ? JSON.parse(row.hooks) : null;
  out.settings = typeof row.settings === 'string' ? JSON.parse(row.settings) : null;
  return out as unknown as PrebuildRecord;
}

export function toColumnValue(field: string, value: unknown): unknown {
  if (field === 'hooks' || field === 'settings') return value == null ? null : JSON.stringify(value);
  return value ?? null;
}

/** A `deliveries` row. */
export function toDelivery(r: Row): DeliveryRecord {
  return {
    seq: Number(r.seq),
    id: String(r.id),
    event: String(r.event),
    action: (r.action as string | null) ?? null,
    installationId: r.installation_id == null ? null : Number(r.installation_id),
    payload: JSON.parse(String(r.payload)),
    receivedAt: Number(r.received_at),
    attempts: Number(r.attempts),
  };
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
