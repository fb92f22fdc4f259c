import type { Logger } from 'pino';
import type { Probot } from 'probot';
import { DeliveryProcessor, type ProcessorOptions } from './deliveries/processor.js';
import { deliverySubject } from './deliveries/subject.js';
import { githubDispatcher, type DispatcherOptions } from './github/dispatcher.js';
import type { OctokitFactory } from './github/octokit.js';
import { rateLimitWaitMs } from './github/rate-limit.js';
import { handleCheckRun } from './handlers/check-run.js';
import { handleInstallation } from './handlers/installation.js';
import { handlePullRequest } from './handlers/pull-request.js';
import { handlePush } from './handlers/push.js';
import type { AppDeps, HandledEvent, HandlerInput } from './handlers/types.js';
import { handleWorkflowRun } from './handlers/workflow-run.js';
import type { DirStore } from './lifecycle/snapshot/dir-store.js';
import { ConfigurationCache } from './prebuilds/config-cache.js';
import { Reconciler } from './prebuilds/reconciler.js';
import { ScheduleTicker } from './prebuilds/schedule-ticker.js';
import { laneOf, Scheduler, type Dispatcher } from './scheduler/scheduler.js';
import type { DeliveryRecord, Store } from './store/types.js';
import { PushHistory } from './github/push-history.js';

/** Options of {@link createRuntime}. */
export interface RuntimeOptions {
  store: Store;
  log: Logger;
  /** Installation Octokit factory; defaults to Probot's `app.auth(id)`. */
  octokitFor: OctokitFactory;
  /** Replaces the GitHub dispatcher (tests, `simulate`). */
  dispatcher?: Dispatcher;
  /** Options of the GitHub dispatcher (how long a retried start looks for an earlier attempt's run). */
  github?: DispatcherOptions;
  /** Directory stores (`dir:`) the app can reach (`PREBUILDS_DIR_STORES`): snapshots are deleted there too. */
  dirStores?: readonly DirStore[];
  processor?: ProcessorOptions;
  /** Reconciler period, ms; 0 turns it off. Default 60000. */
  reconcileIntervalMs?: number;
  /** Age of a dispatched run before the reconciler checks it, ms. Default 120000. */
  reconcileGraceMs?: number;
  /** How often schedules are checked, ms; 0 turns them off. Default 60000. */
  scheduleIntervalMs?: number;
}

/** The running app: the deliveries inbox, the scheduler and the reconciler. */
export interface Runtime {
  deps: AppDeps;
  processor: DeliveryProcessor;
  reconciler: Reconciler;
  schedules: ScheduleTicker;
  /** Records a verified delivery (`payloadJson`: its body as received, stored as is); resolves once it is safely stored (then GitHub gets its 2xx). */
  receive(delivery: { id: string; name: string; payload: unknown; payloadJson?: string }): Promise<void>;
  /**
   * Resumes after a restart: processes pending deliveries, starts the reconciler and
   * schedules, and starts waiting prebuilds in the background (resolves before that).
   */
  start(): Promise<void>;
  /** Resolves when every recorded delivery has been processed. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

type Handlers = { [E in HandledEvent]?: (deps: AppDeps, input: HandlerInput<E>) => Promise<void> };
const HANDLERS: Handlers = {
  push: handlePush,
  pull_request: handlePullRequest,
  workflow_run: handleWorkflowRun,
  check_run: handleCheckRun,
  installation: handleInstallation,
  installation_repositories: handleInstallation,
};

/**
 * Wires the store, the scheduler (with the GitHub dispatcher) and the handlers. Webhooks
 * are recorded first and acknowledged (SPEC.md rule 9), then processed in the
 * background, so GitHub gets its answer well within its 10-second delivery timeout.
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  const { store, log, octokitFor } = options;
  const pushHistory = new PushHistory();
  const scheduler = new Scheduler(
    store,
    options.dispatcher ?? githubDispatcher(octokitFor, { ...options.github, pushHistory, dirStores: options.dirStores ?? [] }),
    log,
  );
  const deps: AppDeps = { store, scheduler, octokitFor, log, configCache: new ConfigurationCache(), dirStores: options.dirStores ?? [], pushHistory };

  const handle = async (d: DeliveryRecord): Promise<void> => {
    const handler = HANDLERS[d.event as HandledEvent] as ((deps: AppDeps, input: HandlerInput<HandledEvent>) => Promise<void>) | undefined;
    if (!handler) return; // ping and others: acknowledged and kept, nothing to do
    if (d.installationId === null) {
      log.warn({ delivery: d.id, event: d.event }, 'delivery without installation ignored');
      return;
    }
    const octokit = await octokitFor(d.installationId);
    await handler(deps, { deliveryId: d.id, seq: d.seq, payload: d.payload as never, octokit });
  };
  // A delivery refused by a GitHub rate limit waits at least as long as GitHub asked.
  const processor = new DeliveryProcessor(store, handle, log, { retryAfterMs: rateLimitWaitMs, ...options.processor });
  const exclusive = <T>(key: string, fn: () => Promise<T>) => processor.exclusive(key, fn);
  // With several replicas, one runs the reconciler and one the schedules (taken over when it dies).
  const reconciler = new Reconciler(deps, {
    intervalMs: options.reconcileIntervalMs ?? 60_000,
    graceMs: options.reconcileGraceMs,
    exclusive,
    leader: () => processor.coordinator.lead('reconciler'),
  });
  const schedules = new ScheduleTicker(deps, options.scheduleIntervalMs ?? 60_000, exclusive, () => processor.coordinator.lead('schedules'));

  let resumed: Promise<void> = Promise.resolve();
  return {
    deps,
    processor,
    reconciler,
    schedules,
    async receive(delivery) {
      const payload = delivery.payload as { action?: string; installation?: { id?: number } };
      // Counted while it runs: processing holds back meanwhile, so the answer does not wait behind it.
      const fresh = await processor.admission.recording(() =>
        store.recordDelivery({
          id: delivery.id,
          event: delivery.name,
          action: typeof payload?.action === 'string' ? payload.action : null,
          installationId: typeof payload?.installation?.id === 'number' ? payload.installation.id : null,
          ...deliverySubject(delivery.payload),
          payload: delivery.payload,
          payloadJson: delivery.payloadJson,
        }),
      );
      if (!fresh) log.info({ delivery: delivery.id }, 'redelivery of a recorded delivery ignored');
      processor.kick();
    },
    async start() {
      processor.kick();
      reconciler.start();
      schedules.start();
      // Resuming waiting prebuilds calls GitHub: in the background, so the server listens at once.
      resumed = (async () => {
        const waiting = await store.listPrebuilds({ states: ['waiting'], limit: 10_000 });
        const lanes = new Map(waiting.map((p) => [`${p.owner}/${p.repo}/${p.configuration}/${p.branch}`, laneOf(p)]));
        for (const lane of lanes.values()) {
          await processor
            .exclusive(`${lane.owner}/${lane.repo}`, () => scheduler.advance(lane))
            .catch((error) => {
              log.error({ err: error, lane }, 'could not resume a waiting prebuild; the reconciler retries');
            });
        }
      })();
    },
    async idle() {
      await resumed;
      await processor.idle();
    },
    async stop() {
      reconciler.stop();
      schedules.stop();
      await processor.stop();
    },
  };
}

/**
 * Probot's installation Octokit factory, one client per installation kept and reused
 * (at most `limit`, the least recently used dropped): building a client costs more than
 * most requests, and its auth hook fetches and renews the installation token itself
 * (`POST /app/installations/{installation_id}/access_tokens`, cached until it expires).
 * A failure (installation gone, GitHub down) is not kept: the next call asks again.
 */
export function probotOctokitFactory(app: Probot, limit = 1000): OctokitFactory {
  const clients = new Map<number, ReturnType<OctokitFactory>>();
  return (installationId) => {
    const hit = clients.get(installationId);
    if (hit) {
      clients.delete(installationId);
      clients.set(installationId, hit);
      return hit;
    }
    const made = (app.auth(installationId) as ReturnType<OctokitFactory>).catch((error: unknown) => {
      if (clients.get(installationId) === made) clients.delete(installationId);
      throw error;
    });
    if (clients.size >= limit) clients.delete(clients.keys().next().value!);
    clients.set(installationId, made);
    return made;
  };
}
