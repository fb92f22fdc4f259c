import type { DeliveryRecord } from '../store/types.js';

/** What the inbox keys a delivery by: the repository it is ordered in and the commit it is about. */
export interface DeliverySubject {
  /** `owner/name`, or `installation:<id>` for events without a repository (installation …). */
  repository: string;
  /** The commit: push `after`, pull request head, workflow run or check run head; null when the event names none. */
  sha: string | null;
}

type Payload = {
  repository?: { full_name?: string };
  installation?: { id?: number };
  after?: string;
  deleted?: boolean;
  pull_request?: { head?: { sha?: string } };
  workflow_run?: { head_sha?: string };
  check_run?: { head_sha?: string };
};

/**
 * The repository and commit of a webhook payload (GitHub's webhook payload shapes for
 * push, pull_request, workflow_run and check_run; other events have no commit).
 */
export function deliverySubject(payload: unknown): DeliverySubject {
  const p = (payload ?? {}) as Payload;
  const repository = p.repository?.full_name ?? `installation:${p.installation?.id ?? 'none'}`;
  const sha =
    (!p.deleted && typeof p.after === 'string' ? p.after : null) ?? p.pull_request?.head?.sha ?? p.workflow_run?.head_sha ?? p.check_run?.head_sha ?? null;
  return { repository, sha: sha && /^[0-9a-f]{40}$/.test(sha) ? sha : null };
}

/** The repository a recorded delivery is ordered in (from its payload when recorded before that was kept). */
export function deliveryRepository(d: DeliveryRecord): string {
  return d.repository ?? deliverySubject(d.payload).repository;
}
