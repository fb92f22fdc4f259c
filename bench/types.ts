/**
 * The contract between `bench/main.ts` and each benchmark module (`bench/<name>.ts`,
 * compiled to `lib/bench/<name>.js`): the module exports `run`.
 */

/** What a benchmark gets. */
export interface BenchContext {
  /** The command-line arguments after the benchmark names (e.g. `--pushes 2000`); each benchmark reads its own. */
  argv: string[];
  /** Progress on stderr (stdout is for the results). */
  log(message: string): void;
}

/** One line of a benchmark's table. */
export interface BenchRow {
  metric: string;
  value: string | number;
  /** The target, if the benchmark has one (e.g. `≤ 3`). */
  target?: string;
  note?: string;
}

/** A metric's value: a number, a word, or a list of flat records (one per setup a benchmark compares). */
export type MetricValue = number | string | boolean | Array<Record<string, number | string | boolean | null>>;

/** What a benchmark returns: the machine-readable metrics (printed by `--json NAME`) and a table for people. */
export interface BenchResult {
  metrics: Record<string, MetricValue>;
  rows: BenchRow[];
}

/** A benchmark module. */
export interface BenchModule {
  run(context: BenchContext): Promise<BenchResult>;
}

/**
 * The value of `--name VALUE` in `argv`, or `fallback`.
 * @throws Error when the value is not a number and `fallback` is one
 */
export function flag<T extends string | number>(argv: string[], name: string, fallback: T): T {
  const i = argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= argv.length) return fallback;
  const raw = argv[i + 1]!;
  if (typeof fallback === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, not ${raw}`);
    return n as T;
  }
  return raw as T;
}
