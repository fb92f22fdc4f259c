/**
 * One setup for the restore-report tests: a local GitHub Actions OIDC issuer over HTTP,
 * an app that accepts restore reports signed by it, and the app's record of the
 * configuration's full prebuild (its hooks' time is the cold time a restore saves).
 */
import { LocalActionsIssuer, type JobClaims } from '../../demo/github/oidc-issuer.js';
import { DEFAULT_RESTORE_AUDIENCE } from '../../src/api/restore-report.js';
import type { PrebuildSettings } from '../../src/config/model.js';
import type { PrebuildPatch } from '../../src/store/types.js';
import { startTestApp, type TestApp } from './app.js';
import { REPO, SHA_A, SHA_B } from './ids.js';

/** What {@link startRestoreReports} starts; `stop()` stops both servers. */
export interface RestoreReports {
  issuer: LocalActionsIssuer;
  app: TestApp;
  stop(): Promise<void>;
}

/**
 * Starts the issuer and the app, then records a successful full prebuild of `devcontainer`
 * (octo/app, identity-1) at `prebuild.sha` (default SHA_A), ended with `prebuild.ended`
 * (hook times and duration in ms; `state: 'success'` unless it says otherwise).
 */
export async function startRestoreReports(prebuild: { sha?: string; settings?: PrebuildSettings; ended: PrebuildPatch }): Promise<RestoreReports> {
  const issuer = await LocalActionsIssuer.start();
  const app = await startTestApp({ restoreReports: { issuer: issuer.url, audience: DEFAULT_RESTORE_AUDIENCE } });
  const p = await app.server.store.createPrebuild({
    ...REPO,
    installationId: 1,
    configuration: 'devcontainer',
    identity: 'identity-1',
    branch: 'main',
    sha: prebuild.sha ?? SHA_A,
    prNumber: null,
    trigger: 'push',
    workflow: 'prebuild.yml',
    timeoutMinutes: 60,
    ...(prebuild.settings ? { settings: prebuild.settings } : {}),
    deliveryId: 'seed-restore-reports',
  });
  await app.server.store.updatePrebuild(p.id, { state: 'success', ...prebuild.ended });
  return {
    issuer,
    app,
    async stop() {
      await app.stop();
      await issuer.stop();
    },
  };
}

/** GitHub's OIDC claims of a CI job of octo/app at SHA_B; `over` replaces any of them. */
export function jobClaims(over: Partial<JobClaims> = {}): JobClaims {
  const repository = over.repository ?? 'octo/app';
  return {
    repository,
    repository_id: '4242',
    repository_owner: repository.split('/')[0]!,
    repository_owner_id: '99',
    ref: 'refs/heads/main',
    sha: SHA_B,
    run_id: '5001',
    run_number: '1',
    run_attempt: '1',
    workflow: 'ci.yml',
    event_name: 'push',
    actor: 'octocat',
    actor_id: '1',
    ...over,
  };
}
