import type { ApplicationFunction, Probot } from 'probot';
import { managementHandler } from './management.js';
import { createRuntime, probotOctokitFactory, type Runtime, type RuntimeOptions } from './runtime.js';
import type { Store } from './store/types.js';

/** Options of {@link prebuildsApp}. */
export interface PrebuildsAppOptions {
  /** An open, migrated store. */
  store: Store;
  /** Called with the runtime once it exists (the server uses it to stop and to wait for idle). */
  onRuntime?: (runtime: Runtime) => void;
  /** Passed to the runtime (reconciler period, retry policy). */
  runtime?: Pick<RuntimeOptions, 'reconcileIntervalMs' | 'reconcileGraceMs' | 'scheduleIntervalMs' | 'processor' | 'github' | 'dispatcher'>;
}

/**
 * The Probot application function: every verified webhook is recorded in the store
 * before Probot answers GitHub (so a 2xx means "safely recorded"), then processed in
 * the background by the runtime. Probot verifies `X-Hub-Signature-256` and refuses
 * a wrong signature before this code runs.
 */
export function prebuildsApp(options: PrebuildsAppOptions): ApplicationFunction {
  return async (app: Probot, { addHandler }) => {
    const runtime = createRuntime({
      store: options.store,
      log: app.log,
      octokitFor: probotOctokitFactory(app),
      ...options.runtime,
    });
    app.onAny(async (context) => {
      await runtime.receive({ id: context.id, name: context.name, payload: context.payload });
    });
    try {
      addHandler(managementHandler(app, runtime));
    } catch {
      app.log.warn('no HTTP server (probot.load without a Server): the management API and Prebuilds page are not served');
    }
    options.onRuntime?.(runtime);
    await runtime.start();
  };
}
