import { runtimeOptionsFromEnv, webhookOptionsFromEnv } from '../../src/index.js';

describe('settings from the environment (npm start)', () => {
  it('the webhook endpoint needs WEBHOOK_SECRET and reads its limits', () => {
    expect(() => webhookOptionsFromEnv({})).toThrow(/WEBHOOK_SECRET is not set/);
    expect(webhookOptionsFromEnv({ WEBHOOK_SECRET: 's' })).toEqual({ secret: 's', path: undefined, maxBodyBytes: undefined, memoryBytes: undefined, bodyTimeoutMs: undefined });
    expect(
      webhookOptionsFromEnv({ WEBHOOK_SECRET: 's', WEBHOOK_PATH: '/hooks', WEBHOOK_MAX_BODY_BYTES: '1000', WEBHOOK_MEMORY_BYTES: '4000', WEBHOOK_BODY_TIMEOUT_MS: '5000' }),
    ).toEqual({ secret: 's', path: '/hooks', maxBodyBytes: 1000, memoryBytes: 4000, bodyTimeoutMs: 5000 });
    expect(() => webhookOptionsFromEnv({ WEBHOOK_SECRET: 's', WEBHOOK_MAX_BODY_BYTES: '25MB' })).toThrow(/WEBHOOK_MAX_BODY_BYTES/);
  });

  it('payload retention and the prune period are whole milliseconds', () => {
    expect(runtimeOptionsFromEnv({ DELIVERY_PAYLOAD_RETENTION_MS: '86400000', DELIVERY_PRUNE_INTERVAL_MS: '60000' }).processor).toEqual({ payloadRetentionMs: 86_400_000, pruneIntervalMs: 60_000 });
    expect(() => runtimeOptionsFromEnv({ DELIVERY_PAYLOAD_RETENTION_MS: '-1' })).toThrow(/DELIVERY_PAYLOAD_RETENTION_MS/);
  });
});
