import type { HandledPayloads } from '../github/payloads.js';
import type { Octokit } from '../github/octokit.js';
import type { PrebuildsDeps } from '../prebuilds/deps.js';

/** Collaborators every handler gets: those of the prebuild-request layer. */
export type AppDeps = PrebuildsDeps;

/** Webhook event names this app handles. */
export type HandledEvent = keyof HandledPayloads;

/** One delivery as a handler sees it: id, typed payload, and an installation Octokit. */
export interface HandlerInput<E extends HandledEvent> {
  deliveryId: string;
  /** The delivery's arrival order in the inbox (0 when not from the inbox). */
  seq: number;
  payload: HandledPayloads[E];
  octokit: Octokit;
}
