import { RESTORE_INSERT_COLUMNS, restoreValues, toRestore, type Row } from '../rows.js';
import type { NewRestore, RepoRef, RestoreRecord, RestoreStore } from '../types.js';
import { SqliteInbox } from './inbox.js';

/** The restores role on SQLite (the `restores` table); {@link SqliteStore} builds on it. */
export class SqliteRestores extends SqliteInbox implements RestoreStore {
  async recordRestore(input: NewRestore): Promise<{ record: RestoreRecord; created: boolean }> {
    const row = { ...input, createdAt: input.createdAt ?? Date.now() };
    const r = this.durable(() =>
      this.db
        .prepare(
          `INSERT INTO restores (${RESTORE_INSERT_COLUMNS}) VALUES (${restoreValues(row)
            .map(() => '?')
            .join(', ')}) ON CONFLICT (report_id) DO NOTHING`,
        )
        .run(...restoreValues(row)),
    );
    const stored = this.db.prepare('SELECT * FROM restores WHERE report_id = ?').get(input.reportId) as Row;
    return { record: toRestore(stored), created: r.changes === 1 };
  }

  async listRestores(repo: RepoRef, since: number, limit = 10_000): Promise<RestoreRecord[]> {
    const rows = this.db
      .prepare('SELECT * FROM restores WHERE owner = ? AND repo = ? AND created_at >= ? ORDER BY created_at, id LIMIT ?')
      .all(repo.owner, repo.repo, since, limit) as Row[];
    return rows.map(toRestore);
  }
}
