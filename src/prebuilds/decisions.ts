import type { NewDecision, PrebuildRecord, RepoRef, Store } from '../store/types.js';

/**
 * Decisions (SPEC.md rule 10): for every (event, configuration) pair the app records
 * what it decided and why. A {@link Decision} is made by one of the constructors in
 * {@link decision} (one per reason the spec names) and recorded through a
 * {@link DecisionLog}, the only writer of decisions besides the scheduler's own
 * `superseded`. `configuration` `*` stands for "every configuration" (a tag push, a
 * repository without configuration, a configuration file that does not parse).
 */

/** The outcome words of rule 10 (`skipped: <reason>` keeps its reason in `reason`). */
export type DecisionKind = 'started' | 'queued' | 'superseded' | 'skipped' | 'failed' | 'cancelled' | 'deleted' | 'success' | 'failure' | 'timed_out';

/** The event a decision answers: a webhook event name, or who else asked. */
export type DecisionEvent = 'push' | 'pull_request' | 'installation' | 'check_run' | 'workflow_run' | 'schedule' | 'manual' | 'reconciler';

/** One decision about one configuration. */
export interface Decision {
  configuration: string;
  kind: DecisionKind;
  reason: string;
  prebuildId: number | null;
}

const skipped = (configuration: string, reason: string, prebuildId: number | null = null): Decision => ({ configuration, kind: 'skipped', reason, prebuildId });
const EVERY = '*';

/** The constructors: one per reason the app gives. */
export const decision = {
  /** A tag was pushed (rule 10 `skipped: tag`). */
  tag: () => skipped(EVERY, 'tag: tag pushes start no prebuild'),
  /** A ref that is neither a branch nor a tag. */
  notABranch: (ref: string) => skipped(EVERY, `ref ${ref} is not a branch`),
  /** A delivery without an installation (the app cannot act for anyone). */
  noInstallation: () => skipped(EVERY, 'no installation in the payload'),
  /** Nothing to prebuild at the commit. */
  noConfiguration: () => skipped(EVERY, 'no configuration: no .github/prebuilds.yml and no .devcontainer/devcontainer.json'),
  /** A configuration file does not parse or validate (the failing check run quotes it). */
  configurationProblem: (problem: string) =>
    ({ configuration: EVERY, kind: 'failed', reason: `configuration problem: ${problem}`, prebuildId: null }) satisfies Decision,
  /** Installed on a repository without `.github/prebuilds.yml`: its first push prebuilds. */
  installedWithoutFile: () => skipped(EVERY, 'installed: no .github/prebuilds.yml, so the first push prebuilds'),
  /** An event action that starts nothing (`pull_request` `edited`, `labeled` …). */
  ignoredAction: (event: string, action: string) => skipped(EVERY, `${event} ${action}: starts no prebuild`),
  /** The trigger rule said no (branch-unmatched, interval n/m, fork, pullRequests: off …). */
  skipped: (configuration: string, reason: string) => skipped(configuration, reason),
  /** An earlier prebuild of the same commit and identity is live or done. */
  alreadyPrebuilt: (configuration: string, p: Pick<PrebuildRecord, 'id' | 'state'>) =>
    skipped(configuration, `already prebuilt: prebuild #${p.id} (${p.state})`, p.id),
  /** A retried push that a newer push of the branch overtook. */
  overtaken: (configuration: string) => skipped(configuration, 'superseded: a newer push of this branch was handled first'),
  /** What the scheduler did with a request (`started`, `queued`, `failed`), after the trigger's reason. */
  scheduled: (p: Pick<PrebuildRecord, 'id' | 'configuration'>, kind: 'started' | 'queued' | 'failed', reason: string): Decision => ({
    configuration: p.configuration,
    kind,
    reason,
    prebuildId: p.id,
  }),
  /** A prebuild ended (its run completed, timed out, or was cancelled or deleted). */
  ended: (p: Pick<PrebuildRecord, 'id' | 'configuration' | 'state' | 'reason'>, kind?: DecisionKind, reason?: string): Decision => ({
    configuration: p.configuration,
    kind: kind ?? (p.state === 'expired' ? 'deleted' : (p.state as DecisionKind)),
    reason: reason ?? p.reason ?? `prebuild #${p.id} ${p.state}`,
    prebuildId: p.id,
  }),
  /** A deleted branch with nothing open. */
  nothingToCancel: (branch: string) => skipped(EVERY, `branch ${branch} deleted; nothing to cancel`),
} as const;

/** Where a decision was made: the delivery (or request id), repository, commit and event. */
export interface DecisionContext extends RepoRef {
  deliveryId: string | null;
  sha: string;
  event: DecisionEvent;
}

/** Records decisions of one context. */
export interface DecisionLog {
  /** Records one decision (at `sha` unless the decision is about another commit's prebuild). */
  record(d: Decision, sha?: string): Promise<void>;
  /** The record {@link record} would write, for a write that stores it with other changes (`updatePrebuild`'s `decisions`). */
  entry(d: Decision, sha?: string): NewDecision;
}

/** A {@link DecisionLog} writing to the store's decisions. */
export function decisionLog(store: Pick<Store, 'recordDecision'>, context: DecisionContext): DecisionLog {
  const entry = (d: Decision, sha = context.sha): NewDecision => ({
    deliveryId: context.deliveryId,
    owner: context.owner,
    repo: context.repo,
    sha,
    event: context.event,
    configuration: d.configuration,
    decision: d.kind,
    reason: d.reason,
    prebuildId: d.prebuildId,
  });
  return { entry, record: (d, sha) => store.recordDecision(entry(d, sha)) };
}
