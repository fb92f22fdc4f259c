import type { DecisionLog } from './roles/decisions.js';
import type { DeliveryInbox } from './roles/inbox.js';
import type { LaneStore } from './roles/lanes.js';
import type { RestoreStore } from './roles/restores.js';
import type { PrebuildStore } from './roles/prebuilds.js';
import type { StoreLifecycle } from './roles/repo.js';
import type { ScheduleStore } from './roles/schedules.js';
import type { SettingsStore } from './roles/settings.js';
import type { TokenStore } from './roles/tokens.js';

/**
 * The store: where the app keeps webhook deliveries, prebuilds, decisions and
 * per-configuration state. It is split into roles (src/store/roles/), one interface
 * per concern, so a consumer names the slice it uses:
 *
 * | role | interface | tables |
 * |---|---|---|
 * | inbox | {@link DeliveryInbox} | deliveries |
 * | prebuilds | {@link PrebuildStore} | prebuilds |
 * | decisions | {@link DecisionLog} | decisions |
 * | lanes | {@link LaneStore} | lanes |
 * | schedules | {@link ScheduleStore} | schedules |
 * | settings | {@link SettingsStore} | configurations, configuration_overrides |
 * | tokens | {@link TokenStore} | api_tokens, page_sessions |
 * | restores | {@link RestoreStore} | restores |
 *
 * Two implementations, one folder each: SQLite (src/store/sqlite/, better-sqlite3, the
 * embedded default) and PostgreSQL (src/store/postgres/, pg's Pool, several replicas).
 * Both apply the one migration list (src/store/migrations.ts) and pass one contract
 * suite (test/store/contract.test.ts). All times are epoch milliseconds; sizes bytes.
 */
export * from './roles/decisions.js';
export * from './roles/inbox.js';
export * from './roles/lanes.js';
export * from './roles/prebuilds.js';
export * from './roles/repo.js';
export * from './roles/restores.js';
export * from './roles/schedules.js';
export * from './roles/settings.js';
export * from './roles/tokens.js';

/**
 * Every role together: what `openStore` returns. Implementations make every method
 * atomic on its own; callers serialise work per repository (the delivery processor's
 * `exclusive`, across replicas through src/coordination/).
 */
export interface Store extends StoreLifecycle, DeliveryInbox, PrebuildStore, DecisionLog, LaneStore, ScheduleStore, SettingsStore, TokenStore, RestoreStore {}
