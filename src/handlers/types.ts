import type { Logger } from 'pino';
import type { OctokitFactory } from '../github/dispatcher.js';
import type { Octokit } from '../github/octokit.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { Store } from '../store/types.js';
import type { ConfigurationCache } from './config-cache.js';
import type { HandledPayloads } from './payloads.js';

/** Collaborators every handler gets (passed in, so tests can give their own). */
export interface AppDeps {
  store: Store;
  scheduler: Scheduler;
  octokitFor: OctokitFactory;
  log: Logger;
  /** Configurations resolved at each branch head, reused while their files are untouched. */
  configCache: ConfigurationCache;
}

/** Webhook event names this app handles. */
export type HandledEvent = keyof HandledPayloads;

/** One delivery as a handler sees it: id, typed payload, and an installation Octokit. */
export interface HandlerInput<E extends HandledEvent> {
  deliveryId: string;
  /** The delivery's arrival order in the inbox (0 when not from the inbox). */
  seq: number;
  payload: HandledPayloads[E];
  octokit: Octokit;
}
