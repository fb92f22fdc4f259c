/**
 * A job's log and annotations: masks secrets and `::add-mask::` values,
 * timestamps lines like GitHub's plain-text logs, and turns workflow commands
 * (`::error`, `::warning`, `::notice`, `::group`, …) into log markers and
 * check-run annotations (at most 10 of each level per step, as on GitHub).
 */
import type { AnnotationRecord, CheckRunRecord, JobRecord } from '../types.js';
import { parseCommand } from './commands.js';

const LIMIT_PER_STEP = 10;

/** An annotation with GitHub's defaults for job-level ones (path `.github`, line 1). */
export type AnnotationInput = Pick<AnnotationRecord, 'level' | 'message' | 'title'> & Partial<AnnotationRecord>;

/** The log and annotations of one job. */
export class JobLog {
  private readonly masks = new Set<string>();
  private counts = { notice: 0, warning: 0, failure: 0 };

  constructor(
    private readonly job: JobRecord,
    private readonly check: CheckRunRecord,
    /** Values masked from the start (secrets, the job token). */
    secrets: string[],
    private readonly echo?: (line: string) => void,
  ) {
    for (const s of secrets) if (s) this.masks.add(s);
  }

  private mask(text: string): string {
    let out = text;
    for (const m of this.masks) out = out.split(m).join('***');
    return out;
  }

  /** Appends a line (masked; prefixed with a 7-digit-fraction UTC timestamp). */
  line(text: string): void {
    const masked = this.mask(text);
    this.job.log.push(`${new Date().toISOString().replace('Z', '0000Z')} ${masked}`);
    this.echo?.(masked);
  }

  /** Adds an annotation to the job's check run (message masked). */
  annotate(a: AnnotationInput): void {
    this.check.annotations.push({
      path: '.github',
      startLine: 1,
      endLine: 1,
      startColumn: null,
      endColumn: null,
      rawDetails: null,
      ...a,
      message: this.mask(a.message),
    });
  }

  /** Resets the per-step annotation limits. */
  newStep(): void {
    this.counts = { notice: 0, warning: 0, failure: 0 };
  }

  /** While set, only `::<token>::` resumes commands (`::stop-commands::<token>`, as the runner does). */
  private stopToken: string | null = null;

  /** Handles one line of a step's output: a workflow command, or a plain log line. */
  output(line: string): void {
    if (this.stopToken !== null) {
      if (line.replace(/\r$/, '').trim() === `::${this.stopToken}::`) this.stopToken = null;
      else this.line(line);
      return;
    }
    const cmd = parseCommand(line);
    if (!cmd) return this.line(line);
    if (cmd.command === 'stop-commands') {
      if (cmd.message) this.stopToken = cmd.message;
      return;
    }
    if (cmd.command === 'add-mask') {
      if (cmd.message) this.masks.add(cmd.message);
      return;
    }
    if (cmd.command === 'group') return this.line(`##[group]${cmd.message}`);
    if (cmd.command === 'endgroup') return this.line('##[endgroup]');
    if (cmd.command === 'debug') return;
    const level = cmd.command === 'error' ? 'failure' : cmd.command === 'warning' ? 'warning' : cmd.command === 'notice' ? 'notice' : null;
    if (!level) return this.line(line);
    this.line(`##[${cmd.command}]${cmd.message}`);
    if (this.counts[level]++ >= LIMIT_PER_STEP) return;
    const p = cmd.properties;
    const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
    this.annotate({
      level,
      message: cmd.message,
      title: p.title ?? null,
      path: p.file ?? '.github',
      startLine: num(p.line) ?? 1,
      endLine: num(p.endLine) ?? num(p.line) ?? 1,
      startColumn: num(p.col),
      endColumn: num(p.endColumn) ?? num(p.col),
    });
  }
}
