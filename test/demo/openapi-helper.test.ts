import { matchOperation, validateResponse } from '../helpers/openapi.js';

describe('openapi helper', () => {
  it('matches documented operations and rejects others', () => {
    expect(matchOperation('GET', '/repos/o/r/contents/.github%2Fprebuilds.yml')?.template).toBe('/repos/{owner}/{repo}/contents/{path}');
    expect(matchOperation('GET', '/api/v3/repos/o/r/contents/a/b/c.json?ref=main')?.params.path).toBe('a/b/c.json');
    expect(matchOperation('GET', '/repos/o/r/commits/abc/check-runs')?.template).toBe('/repos/{owner}/{repo}/commits/{ref}/check-runs');
    expect(matchOperation('GET', '/repos/o/r/commits/abc')?.template).toBe('/repos/{owner}/{repo}/commits/{ref}');
    expect(matchOperation('POST', '/repos/o/r/actions/workflows/prebuild.yml/dispatches')?.operationId).toBe('actions/create-workflow-dispatch');
    expect(matchOperation('GET', '/repos/o/r/nonsense/thing')).toBeNull();
    expect(matchOperation('PUT', '/repos/o/r/check-runs')).toBeNull();
  });

  it('validates bodies, nullable fields and statuses', () => {
    expect(validateResponse('POST', '/repos/o/r/actions/workflows/x.yml/dispatches', 204, null)).toBeNull();
    expect(
      validateResponse('POST', '/repos/o/r/actions/workflows/x.yml/dispatches', 200, { workflow_run_id: 1, run_url: 'http://x/1', html_url: 'http://x/1' }),
    ).toBeNull();
    expect(validateResponse('POST', '/repos/o/r/actions/workflows/x.yml/dispatches', 200, { workflow_run_id: 'x' })).toMatch(/workflow_run_id|run_url/);
    expect(validateResponse('POST', '/repos/o/r/actions/runs/1/cancel', 500, {})).toMatch(/not documented/);
    expect(
      validateResponse('GET', '/repos/o/r/contents/x', 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' }),
    ).toBeNull();
    expect(
      validateResponse('GET', '/repos/o/r/check-runs/1/annotations', 200, [
        {
          path: '.github',
          blob_href: 'http://x',
          start_line: 1,
          end_line: 1,
          start_column: null,
          end_column: null,
          annotation_level: 'notice',
          title: null,
          message: 'm',
          raw_details: null,
        },
      ]),
    ).toBeNull();
  });
});
