import type { RepoRef } from './repo.js';

/** The settings role: what people set per configuration (pause, overrides of the file's values). */

/** Per (repository, configuration) settings the app keeps (pause, overrides). */
export interface ConfigurationState {
  paused: boolean;
}

/**
 * Values a person set through the API or the CLI (`prebuilds update`) that take
 * precedence over the configuration file's; an absent key means "the file's value".
 * Pause is kept in {@link ConfigurationState}.
 */
export interface ConfigurationOverrides {
  commitInterval?: number;
  triggerFiles?: string[];
  retention?: number;
}

/** The settings role of the store. */
export interface SettingsStore {
  getConfigurationState(repo: RepoRef, configuration: string): Promise<ConfigurationState>;
  setConfigurationState(repo: RepoRef, configuration: string, state: ConfigurationState): Promise<void>;
  /** Names of the configurations the app knows for a repository (prebuilt, paused or overridden), sorted. */
  listConfigurations(repo: RepoRef): Promise<string[]>;
  /** A configuration's overrides; `{}` when none were set. */
  getOverrides(repo: RepoRef, configuration: string): Promise<ConfigurationOverrides>;
  /** Replaces a configuration's overrides; `null` or `{}` deletes them. */
  setOverrides(repo: RepoRef, configuration: string, overrides: ConfigurationOverrides | null): Promise<void>;
}
