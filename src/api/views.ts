import { configurationId } from './configuration-id.js';
import type { PrebuildSettings } from '../config/model.js';
import { applyOverrides } from '../store/overrides.js';
import { describeDelivery } from '../deliveries/status.js';
import type { ConfigurationOverrides, DecisionRecord, DeliveryStatus, PrebuildRecord } from '../store/types.js';

/**
 * The JSON shapes of the management API (stable: the CLI and scripts read them).
 * Times are ISO 8601 strings, durations milliseconds, sizes bytes.
 */

const iso = (ms: number | null): string | null => (ms == null ? null : new Date(ms).toISOString());

/** A prebuild as the API shows it. */
export interface PrebuildView {
  id: number;
  repository: string;
  installationId: number;
  configuration: string;
  branch: string;
  sha: string;
  pullRequest: number | null;
  trigger: PrebuildRecord['trigger'];
  status: PrebuildRecord['state'];
  reason: string | null;
  identity: string;
  timings: {
    createdAt: string;
    dispatchedAt: string | null;
    startedAt: string | null;
    endedAt: string | null;
    /** Waiting time before the run started (or was dispatched), ms. */
    queuedMs: number | null;
    /** Workflow run duration, ms. */
    durationMs: number | null;
    /** Lifecycle hook durations, ms. */
    hooks: Record<string, number> | null;
  };
  snapshot: { key: string | null; bytes: number | null };
  base: { key: string | null; sha: string | null; reason: string | null };
  checkRun: { id: number; url: string } | null;
  workflowRun: { id: number | null; url: string | null };
  /** `url`: the run's log page on GitHub; `api`: this API's log route. */
  log: { url: string | null; api: string };
}

/**
 * Renders a prebuild record.
 * @param webUrl GitHub's web origin for check run links (`https://github.com`, or a GHES host)
 */
export function prebuildView(p: PrebuildRecord, webUrl = 'https://github.com'): PrebuildView {
  const queuedEnd = p.startedAt ?? p.dispatchedAt;
  const origin = p.workflowRunUrl ? (safeOrigin(p.workflowRunUrl) ?? webUrl) : webUrl;
  return {
    id: p.id,
    repository: `${p.owner}/${p.repo}`,
    installationId: p.installationId,
    configuration: p.configuration,
    branch: p.branch,
    sha: p.sha,
    pullRequest: p.prNumber,
    trigger: p.trigger,
    status: p.state,
    reason: p.reason,
    identity: p.identity,
    timings: {
      createdAt: iso(p.createdAt)!,
      dispatchedAt: iso(p.dispatchedAt),
      startedAt: iso(p.startedAt),
      endedAt: iso(p.endedAt),
      queuedMs: queuedEnd == null ? null : Math.max(0, queuedEnd - p.createdAt),
      durationMs: p.durationMs,
      hooks: p.hooks,
    },
    snapshot: { key: p.snapshotKey, bytes: p.snapshotBytes },
    base: { key: p.baseKey, sha: p.baseSha, reason: p.baseReason },
    checkRun: p.checkRunId ? { id: p.checkRunId, url: `${origin}/${p.owner}/${p.repo}/runs/${p.checkRunId}` } : null,
    workflowRun: { id: p.workflowRunId, url: p.workflowRunUrl },
    log: { url: p.workflowRunUrl, api: `/api/prebuilds/${p.id}/logs` },
  };
}

function safeOrigin(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : null;
  } catch {
    return null;
  }
}

/** The settings a person can see and override, as the file sets them. */
export type FileValues = Pick<
  PrebuildSettings,
  | 'branches'
  | 'trigger'
  | 'commitInterval'
  | 'triggerFiles'
  | 'retention'
  | 'incremental'
  | 'ancestorDepth'
  | 'timeoutMinutes'
  | 'notify'
  | 'workflow'
  | 'environmentFile'
>;

/** A configuration as the API shows it: the file's values, the overrides beside them, and what applies. */
export interface ConfigurationView {
  name: string;
  /** The URL-safe id addressing it in `/api/repos/{owner}/{repo}/configurations/{id}` (the name itself when that is URL-safe). */
  id: string;
  repository: string;
  paused: boolean;
  /** The file's values at the newest prebuild's commit; null when no prebuild recorded them. */
  file: FileValues | null;
  overrides: ConfigurationOverrides;
  /** The file's values with the overrides applied; null when the file's values are unknown. */
  effective: FileValues | null;
  lastPrebuild: PrebuildView | null;
  lastSuccess: PrebuildView | null;
}

function fileValues(s: PrebuildSettings): FileValues {
  const { branches, trigger, commitInterval, triggerFiles, retention, incremental, ancestorDepth, timeoutMinutes, notify, workflow, environmentFile } = s;
  return { branches, trigger, commitInterval, triggerFiles, retention, incremental, ancestorDepth, timeoutMinutes, notify, workflow, environmentFile };
}

/** Renders a configuration from its newest prebuilds and stored state. */
export function configurationView(
  repository: string,
  name: string,
  state: { paused: boolean; overrides: ConfigurationOverrides },
  newest: PrebuildRecord | null,
  lastSuccess: PrebuildRecord | null,
  withSettings: PrebuildRecord | null,
  webUrl?: string,
): ConfigurationView {
  const settings = withSettings?.settings ?? null;
  return {
    name,
    id: configurationId(name),
    repository,
    paused: state.paused,
    file: settings ? fileValues(settings) : null,
    overrides: state.overrides,
    effective: settings ? fileValues(applyOverrides(settings, state.overrides)) : null,
    lastPrebuild: newest ? prebuildView(newest, webUrl) : null,
    lastSuccess: lastSuccess ? prebuildView(lastSuccess, webUrl) : null,
  };
}

/** A decision as the API shows it (`prebuilds why`). */
export interface DecisionView {
  sha: string;
  event: string;
  configuration: string;
  decision: string;
  reason: string;
  prebuildId: number | null;
  deliveryId: string | null;
  at: string;
}

/** A delivery being retried or given up, as a decision about its commit (see {@link describeDelivery}). */
export function deliveryDecisionView(d: DeliveryStatus): DecisionView {
  return {
    sha: d.sha ?? '',
    event: d.action ? `${d.event}.${d.action}` : d.event,
    configuration: '*',
    decision: d.state,
    reason: describeDelivery(d) ?? d.state,
    prebuildId: null,
    deliveryId: d.id,
    at: new Date(d.receivedAt).toISOString(),
  };
}

/** Renders a decision record. */
export function decisionView(d: DecisionRecord): DecisionView {
  return {
    sha: d.sha,
    event: d.event,
    configuration: d.configuration,
    decision: d.decision,
    reason: d.reason,
    prebuildId: d.prebuildId,
    deliveryId: d.deliveryId,
    at: new Date(d.createdAt).toISOString(),
  };
}
