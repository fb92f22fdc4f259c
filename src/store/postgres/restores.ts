import { RESTORE_INSERT_COLUMNS, restoreValues, toRestore } from '../rows.js';
import type { NewRestore, RepoRef, RestoreRecord, RestoreStore } from '../types.js';
import { PostgresInbox } from './inbox.js';

/** The restores role on PostgreSQL (the `restores` table); {@link PostgresStore} builds on it. */
export class PostgresRestores extends PostgresInbox implements RestoreStore {
  async recordRestore(input: NewRestore): Promise<{ record: RestoreRecord; created: boolean }> {
    const values = restoreValues({ ...input, createdAt: input.createdAt ?? Date.now() });
    const inserted = await this.rows(
      `INSERT INTO restores (${RESTORE_INSERT_COLUMNS}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (report_id) DO NOTHING RETURNING *`,
      values,
    );
    if (inserted[0]) return { record: toRestore(inserted[0]), created: true };
    const [existing] = await this.rows('SELECT * FROM restores WHERE report_id = $1', [input.reportId]);
    return { record: toRestore(existing!), created: false };
  }

  async listRestores(repo: RepoRef, since: number, limit = 10_000): Promise<RestoreRecord[]> {
    const rows = await this.rows('SELECT * FROM restores WHERE owner = $1 AND repo = $2 AND created_at >= $3 ORDER BY created_at, id LIMIT $4', [
      repo.owner,
      repo.repo,
      since,
      limit,
    ]);
    return rows.map(toRestore);
  }
}
