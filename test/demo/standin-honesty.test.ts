/**
 * Is the stand-in honest? The demo flow is run (the real app talking to the
 * stand-in), then every request the app made must be a documented GitHub REST
 * operation, every answer must validate against the schema GitHub documents for
 * that operation and status, and every webhook must validate against
 * @octokit/webhooks-schemas (and have been accepted by the app).
 */
import { runDemo, type DemoResult } from '../../demo/run-demo.js';
import { matchOperation, validateResponse } from '../helpers/openapi.js';
import { validateWebhook } from '../helpers/webhook-schemas.js';

describe('the GitHub stand-in, as the app uses it', () => {
  let result: DemoResult;

  beforeAll(async () => {
    result = await runDemo({ cleanup: true, print: () => undefined });
  }, 600_000);

  it('ran the flow', () => {
    expect(result.exchanges.length).toBeGreaterThan(10);
    expect(result.deliveries.length).toBeGreaterThan(5);
  });

  it('served only documented operations, under the documented path templates', () => {
    const undocumented = result.exchanges
      .filter((x) => !x.template?.startsWith('/_standin/'))
      .filter((x) => {
        const op = matchOperation(x.method, x.path);
        return !op || (x.template !== null && op.template !== x.template);
      })
      .map((x) => `${x.method} ${x.path} (stand-in template ${x.template})`);
    expect(undocumented).toEqual([]);
  });

  it('answered with bodies that validate against the documented response schemas', () => {
    const problems = result.exchanges
      .filter((x) => !x.template?.startsWith('/_standin/'))
      .map((x) => ({ x, p: validateResponse(x.method, x.path, x.status, x.responseBody) }))
      .filter(({ p }) => p !== null)
      .map(({ x, p }) => `${x.method} ${x.path} → ${x.status}: ${p}`);
    expect(problems).toEqual([]);
  });

  it('sent webhooks that validate against @octokit/webhooks-schemas and that the app accepted', () => {
    const problems = result.deliveries.map((d) => validateWebhook(d.event, d.payload as { action?: string })).filter((p) => p !== null);
    expect(problems).toEqual([]);
    expect(result.deliveries.filter((d) => d.status === null || d.status >= 300).map((d) => `${d.event}.${d.action}: ${d.status ?? d.error}`)).toEqual([]);
    const events = new Set(result.deliveries.map((d) => `${d.event}.${d.action ?? ''}`));
    for (const e of ['installation.created', 'push.', 'workflow_run.requested', 'workflow_run.in_progress', 'workflow_run.completed'])
      expect(events).toContain(e);
  });

  it('lists what the app called (for the record)', () => {
    const used = [...new Set(result.exchanges.map((x) => `${x.method} ${x.template ?? x.path}`))].sort();
    expect(used).toEqual(
      expect.arrayContaining(['POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', 'POST /repos/{owner}/{repo}/check-runs']),
    );
  });
});
