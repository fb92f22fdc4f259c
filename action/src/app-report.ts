/**
 * The action's reports to the app (restores: report-restore.ts; prebuild results:
 * report-result.ts): a JSON body posted under the app's URL with the job's GitHub Actions
 * OIDC token as the bearer token (`core.getIDToken(audience)`; the workflow needs
 * `permissions: id-token: write`). Never throws: a report is a courtesy to the app, and
 * the step works the same without it.
 */

/** What a report needs from its surroundings (the action passes @actions/core and fetch; the benchmark its own issuer). */
export interface ReportDeps {
  getIDToken(audience: string): Promise<string>;
  fetch: typeof fetch;
  info(message: string): void;
  warning(message: string): void;
}

/** How a report went: sent and accepted (`ok`), or why not (`reason`, one line). */
export type ReportOutcome = { ok: true } | { ok: false; reason: string };

/**
 * Gets the job's token and posts `body` to `{appUrl}{path}`.
 * @param timeoutMs how long the token request and the POST may take together, ms
 */
export async function postToApp(appUrl: string, path: string, audience: string, body: unknown, deps: ReportDeps, timeoutMs: number): Promise<ReportOutcome> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    // getIDToken takes no signal: the race keeps a stalled token endpoint within the time limit.
    const token = await Promise.race([
      deps.getIDToken(audience),
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error(`no OIDC token within ${timeoutMs} ms`)), { once: true })),
    ]);
    const res = await deps.fetch(`${appUrl.replace(/\/+$/, '')}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
    const text = (await res.text()).replace(/\s+/g, ' ').slice(0, 500);
    return res.ok ? { ok: true } : { ok: false, reason: `HTTP ${res.status} ${text}` };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}
