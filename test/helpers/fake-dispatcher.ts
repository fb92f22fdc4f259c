import type { Dispatcher } from '../../src/scheduler/scheduler.js';
import type { PrebuildRecord } from '../../src/store/types.js';

/** A dispatcher that records what the scheduler asked of GitHub, with fake run ids. */
export class RecordingDispatcher implements Dispatcher {
  started: PrebuildRecord[] = [];
  ended: PrebuildRecord[] = [];
  failNext: string | null = null;
  private nextRun = 1000;

  async start(p: PrebuildRecord) {
    if (this.failNext) {
      const message = this.failNext;
      this.failNext = null;
      throw new Error(message);
    }
    this.started.push(p);
    const runId = this.nextRun++;
    return { checkRunId: runId + 5000, workflowRunId: runId, workflowRunUrl: `https://github.example/runs/${runId}` };
  }

  async end(p: PrebuildRecord) {
    this.ended.push(p);
    return p.checkRunId ?? 9000 + p.id;
  }
}
