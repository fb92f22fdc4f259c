/**
 * The timeline `prebuilds simulate` replays: JSON Lines, one event per line, times
 * in simulated seconds (see README.md in this folder for the format). Pure: parsing
 * and validation only.
 */
import type { PrebuildSettings, TriggerMode } from '../config/model.js';

/** A push to a branch (what a `push` webhook brings). */
export interface PushEvent {
  type: 'push';
  /** Simulated seconds since the start of the timeline. */
  at: number;
  branch: string;
  sha: string;
  /** Files the push changes; absent: unknown (no trigger-file match). */
  files?: string[];
  /** Commits the push adds; default 1. */
  commits?: number;
  /**
   * Configuration identity at this sha (SPEC.md rule 1): one string for every
   * configuration the push reaches, or one per configuration name (a configuration
   * missing from the object does not resolve at this commit and is skipped).
   * Absent: the identity of the previous push of the same configuration and branch
   * (`initial` for the first one).
   */
  identity?: string | Record<string, string>;
  /** Only this configuration; absent: every configuration. */
  configuration?: string;
  /** Webhook delivery id; a second push with the same id is a redelivery and is ignored. */
  delivery?: string;
}

/** A run ends (a `workflow_run` completed webhook). */
export interface CompleteEvent {
  type: 'complete';
  at: number;
  sha: string;
  /** Needed only when several configurations run at this sha. */
  configuration?: string;
  conclusion: 'success' | 'failure';
}

/** The app restarts: the store is closed and reopened, a new scheduler created. */
export interface RestartEvent {
  type: 'restart';
  at: number;
}

/** A configuration is paused or resumed (the CLI's `pause` / `resume`). */
export interface PauseEvent {
  type: 'pause' | 'resume';
  at: number;
  configuration: string;
}

/** The part of a configuration's settings a timeline may set (`.github/prebuilds.yml` keys). */
export type SimulatedSettings = Pick<PrebuildSettings, 'name'> &
  Partial<Pick<PrebuildSettings, 'branches' | 'commitInterval' | 'triggerFiles' | 'trigger' | 'environmentFile'>>;

/** Adds or changes a configuration, from its time on (default time 0). */
export interface ConfigEvent {
  type: 'config';
  at: number;
  configuration: SimulatedSettings;
}

/** Any timeline event. */
export type SimEvent = PushEvent | CompleteEvent | RestartEvent | PauseEvent | ConfigEvent;

/** A timeline that cannot be read: `line` is 1-based (0 when not from a file). */
export class TimelineError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(line > 0 ? `line ${line}: ${message}` : message);
    this.name = 'TimelineError';
  }
}

const TRIGGERS: readonly TriggerMode[] = ['every-push', 'configuration-change', 'schedule'];
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/**
 * Checks one decoded event and fills defaults (`at` 0 for `config`).
 * @throws TimelineError naming `line` and the offending field
 */
export function validateEvent(raw: unknown, line = 0): SimEvent {
  const fail = (message: string): never => {
    throw new TimelineError(line, message);
  };
  if (!isObj(raw)) return fail('an event must be a JSON object');
  const str = (key: string, optional = false): string | undefined => {
    const v = raw[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || v === '') return fail(`"${key}" must be a non-empty string`);
    return v;
  };
  const type = raw.type;
  let at = raw.at;
  if (at === undefined && type === 'config') at = 0;
  if (typeof at !== 'number' || !Number.isFinite(at) || at < 0) return fail('"at" must be a number of seconds ≥ 0');
  switch (type) {
    case 'push': {
      const e: PushEvent = { type, at, branch: str('branch')!, sha: str('sha')! };
      if (raw.files !== undefined) e.files = isStrings(raw.files) ? raw.files : fail('"files" must be an array of strings');
      if (raw.commits !== undefined) {
        const c = raw.commits;
        e.commits = typeof c === 'number' && Number.isInteger(c) && c >= 0 ? c : fail('"commits" must be an integer ≥ 0');
      }
      const id = raw.identity;
      if (id !== undefined) {
        const ok = typeof id === 'string' || (isObj(id) && Object.values(id).every((v) => typeof v === 'string'));
        e.identity = ok ? (id as PushEvent['identity']) : fail('"identity" must be a string or an object of strings');
      }
      if (raw.configuration !== undefined) e.configuration = str('configuration');
      if (raw.delivery !== undefined) e.delivery = str('delivery');
      return e;
    }
    case 'complete': {
      const conclusion = raw.conclusion ?? 'success';
      if (conclusion !== 'success' && conclusion !== 'failure') return fail('"conclusion" must be "success" or "failure"');
      const e: CompleteEvent = { type, at, sha: str('sha')!, conclusion };
      if (raw.configuration !== undefined) e.configuration = str('configuration');
      return e;
    }
    case 'restart':
      return { type, at };
    case 'pause':
    case 'resume':
      return { type, at, configuration: str('configuration')! };
    case 'config':
      return { type, at, configuration: validateSettings(raw.configuration, fail) };
    default:
      return fail(`unknown event type ${JSON.stringify(type)}: expected push, complete, restart, pause, resume or config`);
  }
}

function validateSettings(raw: unknown, fail: (message: string) => never): SimulatedSettings {
  if (!isObj(raw)) return fail('"configuration" must be an object of settings');
  if (typeof raw.name !== 'string' || raw.name === '') return fail('"configuration.name" must be a non-empty string');
  const s: SimulatedSettings = { name: raw.name };
  if (raw.branches !== undefined)
    s.branches = isStrings(raw.branches) && raw.branches.length > 0 ? raw.branches : fail('"configuration.branches" must be a non-empty array of globs');
  if (raw.triggerFiles !== undefined)
    s.triggerFiles = isStrings(raw.triggerFiles) ? raw.triggerFiles : fail('"configuration.triggerFiles" must be an array of globs');
  if (raw.commitInterval !== undefined) {
    const n = raw.commitInterval;
    s.commitInterval = typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : fail('"configuration.commitInterval" must be an integer ≥ 1');
  }
  if (raw.trigger !== undefined) {
    s.trigger = TRIGGERS.includes(raw.trigger as TriggerMode)
      ? (raw.trigger as TriggerMode)
      : fail(`"configuration.trigger" must be one of ${TRIGGERS.join(', ')}`);
  }
  if (raw.environmentFile !== undefined) {
    s.environmentFile =
      typeof raw.environmentFile === 'string' && raw.environmentFile !== '' ? raw.environmentFile : fail('"configuration.environmentFile" must be a path');
  }
  return s;
}

/**
 * Parses a JSON Lines timeline. Blank lines and lines starting with `//` or `#` are
 * skipped.
 * @returns the events in file order (the simulator orders them by `at`, stably)
 * @throws TimelineError at the first line that is not valid JSON or not a valid event
 */
export function parseTimeline(text: string): SimEvent[] {
  const events: SimEvent[] = [];
  text.split(/\r?\n/).forEach((source, i) => {
    const line = source.trim();
    if (line === '' || line.startsWith('//') || line.startsWith('#')) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      throw new TimelineError(i + 1, `not valid JSON: ${(error as Error).message}`);
    }
    events.push(validateEvent(raw, i + 1));
  });
  return events;
}
