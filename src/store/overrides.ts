import type { PrebuildSettings } from '../config/model.js';
import type { ConfigurationOverrides } from './types.js';

/** The settings a person may override through the API or `prebuilds update` (pause aside). */
export const OVERRIDABLE_SETTINGS = ['commitInterval', 'triggerFiles', 'retention'] as const;

/**
 * A configuration's settings with its stored overrides applied: each key present
 * in `overrides` replaces the file's value, the rest is the file's. Pure; returns
 * `settings` itself when there is nothing to override.
 * @param settings one configuration's settings as resolved from `.github/prebuilds.yml`
 * @param overrides what {@link Store.getOverrides} returned (`{}` when none)
 */
export function applyOverrides(settings: PrebuildSettings, overrides: ConfigurationOverrides | null | undefined): PrebuildSettings {
  if (!overrides) return settings;
  const out: PrebuildSettings = { ...settings };
  let changed = false;
  if (overrides.commitInterval !== undefined) {
    out.commitInterval = overrides.commitInterval;
    changed = true;
  }
  if (overrides.triggerFiles !== undefined) {
    out.triggerFiles = [...overrides.triggerFiles];
    changed = true;
  }
  if (overrides.retention !== undefined) {
    out.retention = overrides.retention;
    changed = true;
  }
  return changed ? out : settings;
}
