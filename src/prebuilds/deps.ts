import type { Logger } from 'pino';
import type { OctokitFactory } from '../github/dispatcher.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { DirStore } from '../lifecycle/snapshot/dir-store.js';
import type { Store } from '../store/types.js';
import type { ConfigurationCache } from './config-cache.js';
import type { PushHistory } from '../github/push-history.js';

/**
 * The collaborators of the prebuild-request layer (and of every caller above it:
 * handlers, the management API, the schedule ticker, the reconciler), passed in so
 * tests can give their own.
 */
export interface PrebuildsDeps {
  store: Store;
  scheduler: Scheduler;
  /** An installation-authenticated Octokit (Probot's `app.auth(installationId)`). */
  octokitFor: OctokitFactory;
  log: Logger;
  /** Configurations resolved at each branch head, reused while their files are untouched. */
  configCache: ConfigurationCache;
  /** Directory stores (`dir:`) the app can reach: snapshots are deleted there too. Default none. */
  dirStores?: readonly DirStore[];
  /** Commit history learned from push payloads (base selection reads it before asking GitHub). Absent: none kept. */
  pushHistory?: PushHistory;
}
