import path from 'node:path';
import { openStore } from '../../src/store/index.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * SPEC.md rule 2 depends on pushes of a branch being handled in the order they arrived
 * ("a newer push replaces the waiting one"). GitHub's delivery ids are random GUIDs and
 * two pushes can be recorded in the same millisecond: the inbox keeps arrival order in a
 * sequence column, so the newer push is never handled first.
 */
describe('delivery inbox order', () => {
  it('hands out deliveries recorded in the same millisecond in arrival order', async () => {
    const tmp = tempDir();
    const store = await openStore(path.join(tmp.dir, 'db.sqlite'));
    const realNow = Date.now;
    Date.now = () => 1_700_000_000_000;
    try {
      const push = (id: string, after: string) =>
        store.recordDelivery({ id, event: 'push', action: null, installationId: 1, payload: { after, repository: { full_name: 'o/r' } } });
      await push('f3a0c2e4-0000-4000-8000-000000000001', 'older');
      await push('0b7d9e11-0000-4000-8000-000000000002', 'newer');
      const pending = await store.pendingDeliveries(10);
      expect(pending.map((d) => (d.payload as { after: string }).after)).toEqual(['older', 'newer']);
    } finally {
      Date.now = realNow;
      await store.close();
      tmp.cleanup();
    }
  });
});
