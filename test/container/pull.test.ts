/**
 * Which `docker pull` failures are tried again (src/container/pull.ts), on docker's own
 * messages, and the retry loop's count of attempts.
 */
import { isTransientPullFailure, PullError, withPullRetries } from '../../src/container/pull.js';
import { ToolError } from '../../src/container/tools.js';

const daemon = (message: string) => `Error response from daemon: ${message}`;

describe('isTransientPullFailure', () => {
  it.each([
    // The registry's answer about the image: final.
    [daemon('manifest for 127.0.0.1:5055/nowhere/none:missing-tag not found: manifest unknown: manifest unknown'), false],
    [daemon('manifest for r/x@sha256:0000 not found: manifest unknown: manifest unknown'), false],
    [
      daemon(
        "pull access denied for nowhere/none, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
      ),
      false,
    ],
    [daemon('Head "https://ghcr.io/v2/o/r/manifests/t": unauthorized: authentication required'), false],
    [daemon('unauthorized: incorrect username or password'), false],
    ['invalid reference format', false],
    [daemon('Get "https://127.0.0.1:5055/v2/": http: server gave HTTP response to HTTPS client'), false],
    [daemon('failed to register layer: write /var/lib/docker/x: no space left on device'), false],
    // The way there: worth another attempt.
    [daemon('received unexpected HTTP status: 503 Service Unavailable'), true],
    [daemon('received unexpected HTTP status: 500 Internal Server Error'), true],
    [daemon('received unexpected HTTP status: 502 Bad Gateway'), true],
    [daemon('toomanyrequests: You have reached your pull rate limit. (HTTP code 429) too many requests'), true],
    [daemon('Get "https://r.example/v2/": read tcp 10.0.0.2:51234->1.2.3.4:443: read: connection reset by peer'), true],
    [daemon('Get "https://r.example/v2/": net/http: TLS handshake timeout'), true],
    [daemon('Get "https://r.example/v2/": dial tcp 1.2.3.4:443: i/o timeout'), true],
    [daemon('Get "https://r.example/v2/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'), true],
    [daemon('Get "https://r.example/v2/": dial tcp: lookup r.example on 127.0.0.53:53: Temporary failure in name resolution'), true],
    ['error pulling image configuration: download failed after attempts=6: unexpected EOF', true],
    [daemon('Get "https://r.example/v2/": context deadline exceeded'), true],
    [daemon('Get "https://r.example/v2/": dial tcp 1.2.3.4:443: connect: connection refused'), true],
    [daemon('Get "https://r.example/v2/": dial tcp: lookup r.example on 127.0.0.53:53: no such host'), true],
    [daemon('toomanyrequests: You have reached your pull rate limit.'), true],
  ])('%s → %s', (output, transient) => {
    expect(isTransientPullFailure(output)).toBe(transient);
  });
});

describe('withPullRetries', () => {
  const failing = (output: string) => {
    let calls = 0;
    const attempt = async (): Promise<number> => {
      calls++;
      throw new ToolError(`docker pull x failed with exit code 1:\n${output}`, 1, output);
    };
    return { attempt, calls: () => calls };
  };

  it('does not retry a failure the registry means', async () => {
    const pull = failing(daemon('manifest for x:missing not found: manifest unknown: manifest unknown'));
    const error = (await withPullRetries(pull.attempt, { backoffMs: 1 }).catch((e: unknown) => e)) as PullError;
    expect(error).toBeInstanceOf(PullError);
    expect(error).toMatchObject({ attempts: 1, transient: false });
    expect(pull.calls()).toBe(1);
  });

  it('retries a transient failure with a doubling backoff, up to the attempts given', async () => {
    const pull = failing(daemon('received unexpected HTTP status: 503 Service Unavailable'));
    const waits: number[] = [];
    const error = (await withPullRetries(pull.attempt, { attempts: 3, backoffMs: 2, onRetry: (_n, _e, ms) => waits.push(ms) }).catch(
      (e: unknown) => e,
    )) as PullError;
    expect(error).toMatchObject({ attempts: 3, transient: true });
    expect(pull.calls()).toBe(3);
    expect(waits).toEqual([2, 4]);
  });

  it('returns the first success', async () => {
    let calls = 0;
    const result = await withPullRetries(
      async () => {
        if (++calls < 2) throw new ToolError('x', 1, daemon('read: connection reset by peer'));
        return 42;
      },
      { backoffMs: 1 },
    );
    expect([result, calls]).toEqual([42, 2]);
  });
});
