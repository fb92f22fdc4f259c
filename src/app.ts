import type { ApplicationFunction, Probot } from 'probot';
import type { ActionsTokenOptions } from './api/oidc.js';
import { managementHandler } from './management.js';
import { createRuntime, probotOctokitFactory, type Runtime, type RuntimeOptions } from './runtime.js';
import type { Store } from './store/types.js';
import { DeliveryHeaderBatch } from './webhooks/header-batch.js';
import { DEFAULT_WEBHOOK_PATH, webhookReceiver, type WebhookReceiverOptions } from './webhooks/receiver.js';

/** How the app's own webhook endpoint is set up (see {@link webhookReceiver}). */
export type WebhookEndpointOptions = Pick<WebhookReceiverOptions, 'secret' | 'path' | 'maxBodyBytes' | 'memoryBytes' | 'bodyTimeoutMs'>;

/** Options of {@link prebuildsApp}. */
export interface PrebuildsAppOptions {
  /** An open, migrated store. */
  store: Store;
  /** Called with the runtime once it exists (the server uses it to stop and to wait for idle). */
  onRuntime?: (runtime: Runtime) => void;
  /** Passed to the runtime (reconciler period, retry policy). */
  runtime?: Pick<RuntimeOptions, 'reconcileIntervalMs' | 'reconcileGraceMs' | 'scheduleIntervalMs' | 'processor' | 'github' | 'dirStores' | 'dispatcher'>;
  /**
   * The app's webhook endpoint. Probot's own webhook middleware must then be given a
   * path no request has ({@link PROBOT_WEBHOOK_PATH_OFF}); without this option Probot's
   * middleware receives webhooks (unbounded bodies: for tests of Probot only).
   */
  webhooks?: WebhookEndpointOptions;
  /** How restore reports' OIDC tokens are checked (issuer, audience); default GitHub's issuer and audience `prebuilds-for-github`. */
  restoreReports?: ActionsTokenOptions;
}

/**
 * A webhook path for Probot's own middleware that no request can have (a URL's path
 * never holds a raw space), so the app's {@link webhookReceiver} answers GitHub instead.
 */
export const PROBOT_WEBHOOK_PATH_OFF = '/ probot webhook middleware off';

/**
 * The Probot application function: every verified webhook is recorded in the store
 * before GitHub gets a 2xx (so a 2xx means "safely recorded"), then processed in the
 * background by the runtime. The app's own endpoint ({@link webhookReceiver}) bounds
 * bodies and checks `X-Hub-Signature-256` before anything else.
 */
export function prebuildsApp(options: PrebuildsAppOptions): ApplicationFunction {
  return async (app: Probot, { addHandler }) => {
    const runtime = createRuntime({
      store: options.store,
      log: app.log,
      octokitFor: probotOctokitFactory(app),
      ...options.runtime,
    });
    const endpoint = options.webhooks;
    const receiverPath = endpoint?.path ?? DEFAULT_WEBHOOK_PATH;
    if (!endpoint || app.webhookPath.replace(/\/+$/, '') === receiverPath.replace(/\/+$/, '')) {
      // Probot's middleware answers the webhook path: record what it verified.
      if (endpoint) app.log.warn(`Probot's webhook middleware serves ${receiverPath}: request bodies are not bounded (start the app with npm start)`);
      app.onAny(async (context) => {
        await runtime.receive({ id: context.id, name: context.name, payload: context.payload });
      });
    }
    try {
      if (endpoint) {
        const headers = new DeliveryHeaderBatch(options.store, app.log);
        // Queued headers are written before whoever stops the runtime closes the store.
        const stop = runtime.stop.bind(runtime);
        runtime.stop = async () => {
          await stop();
          await headers.flush();
        };
        addHandler(
          webhookReceiver({
            ...endpoint,
            log: app.log,
            async record(delivery) {
              await runtime.receive(delivery);
              headers.add(delivery.id, delivery.headers);
            },
          }),
        );
      }
      addHandler(managementHandler(app, runtime, options.restoreReports));
    } catch {
      app.log.warn('no HTTP server (probot.load without a Server): the webhook endpoint, management API and Prebuilds page are not served');
    }
    options.onRuntime?.(runtime);
    await runtime.start();
  };
}
