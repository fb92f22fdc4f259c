import type { Command } from 'commander';
import { CliError, EXIT, type CliIo } from './io.js';

/** Default address of the app when neither `--url` nor `PREBUILDS_URL` is set. */
export const DEFAULT_URL = 'http://localhost:3000';

/** Options every command inherits from the program. */
export interface GlobalOptions {
  url?: string;
  repo?: string;
  json?: boolean;
}

/** The program-level options as seen from a sub-command. */
export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Shows a spinner on stderr while `work` runs, only when stderr is a terminal. */
async function withSpinner<T>(io: CliIo, label: string, work: Promise<T>): Promise<T> {
  if (!io.stderr.isTTY) return work;
  let i = 0;
  const timer = setInterval(() => io.stderr.write(`\r${SPINNER[i++ % SPINNER.length]} ${label}`), 100);
  try {
    return await work;
  } finally {
    clearInterval(timer);
    io.stderr.write(`\r${' '.repeat(label.length + 2)}\r`);
  }
}

function exitCodeFor(status: number): number {
  if (status === 400 || status === 405 || status === 413 || status === 415) return EXIT.usage;
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  return EXIT.failure;
}

/**
 * The management API over HTTP (`--url` / `PREBUILDS_URL`, bearer `PREBUILDS_TOKEN`).
 * Every call answers the parsed JSON or throws a {@link CliError} whose exit code
 * follows the HTTP status (400 → 2, 401/403 → 3, 404 → 4, other → 1).
 */
export class ApiClient {
  readonly baseUrl: string;

  constructor(
    private readonly io: CliIo,
    options: GlobalOptions,
  ) {
    const raw = options.url ?? io.env.PREBUILDS_URL ?? DEFAULT_URL;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new CliError(`--url: "${raw}" is not a URL`, EXIT.usage);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`--url: "${raw}" is not an http(s) URL`, EXIT.usage);
    this.baseUrl = url.href.replace(/\/+$/, '');
  }

  /**
   * One request. `path` starts with `/api/`.
   * @throws CliError (see the class comment)
   */
  async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const token = this.io.env.PREBUILDS_TOKEN;
    if (!token) throw new CliError('PREBUILDS_TOKEN is not set: create a token with `prebuilds token create` and export it', EXIT.auth);
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await withSpinner(
        this.io,
        `waiting for ${this.baseUrl}`,
        fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
      );
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach the app at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (error as Error).message}`, EXIT.failure);
    }
    const text = await response.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      throw new CliError(`the app answered ${response.status} with something that is not JSON (is --url the app?)`, EXIT.failure);
    }
    if (!response.ok) {
      const message = (data as { error?: string } | null)?.error ?? `HTTP ${response.status}`;
      throw new CliError(`${message} (HTTP ${response.status})`, exitCodeFor(response.status));
    }
    return data as T;
  }
}

/** `owner/repo` path prefix of the repository routes, segments encoded. */
export function repoPath(repo: { owner: string; repo: string }): string {
  return `/api/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo)}`;
}
