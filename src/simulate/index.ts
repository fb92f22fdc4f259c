/**
 * `simulate`: replays a timeline of pushes through the real trigger and scheduler
 * code (see README.md in this folder for the event format).
 */
export { simulate, SIMULATED_REPO, type SimulateOptions } from './simulator.js';
export { parseTimeline, validateEvent, TimelineError } from './timeline.js';
export type { SimEvent, PushEvent, CompleteEvent, RestartEvent, PauseEvent, ConfigEvent, SimulatedSettings } from './timeline.js';
export { timelineFromGit, firstParentHistory, type GitTimelineOptions, type HistoryCommit } from './git.js';
export type { SimulationReport, SimulatedPrebuild, SimulatedDecision, SimulationTotals, SimulationEstimate } from './report.js';
