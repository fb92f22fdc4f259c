import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * An error the management API answers with: HTTP status, a message, and for
 * validation errors the name of the offending field. Thrown by the services and
 * turned into `{ "error": message, "field"?: name }` by {@link sendError}.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** 400 for a bad input, naming the field (a query parameter, path segment or body key). */
export function badRequest(field: string, message: string): ApiError {
  return new ApiError(400, `${field}: ${message}`, field);
}

/** 404 with a message saying what was not found. */
export function notFound(message: string): ApiError {
  return new ApiError(404, message);
}

/**
 * A request's URL and its path without trailing slashes (`/` for the root), or null when
 * the request target is not a path (e.g. `//`, which reads as a host): not ours, the
 * server answers 404.
 */
export function requestPath(req: IncomingMessage): { url: URL; path: string } | null {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return null;
  }
  return { url, path: url.pathname.replace(/\/+$/, '') || '/' };
}

/** Largest request body accepted, bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads a request body as UTF-8 text.
 * @throws ApiError 413 when it is larger than {@link MAX_BODY_BYTES}
 */
export async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads a JSON object body; an empty body reads as `{}`.
 * @throws ApiError 415 for another content type, 400 (`field: body`) when it is not a JSON object
 */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readText(req);
  if (text.trim() === '') return {};
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\b/i.test(type)) throw new ApiError(415, 'the request body must be application/json');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('body', 'not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('body', 'must be a JSON object');
  return value as Record<string, unknown>;
}

/** Security headers sent with every management response. */
export const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** Sends a JSON answer (`application/json; charset=utf-8`). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

/** Sends `{ error, field? }` for an {@link ApiError}, else a 500 without internals. */
export function sendError(res: ServerResponse, error: unknown): void {
  if (error instanceof ApiError) {
    const headers: Record<string, string> = error.status === 401 ? { 'www-authenticate': 'Bearer realm="prebuilds"' } : {};
    sendJson(res, error.status, error.field ? { error: error.message, field: error.field } : { error: error.message }, headers);
  } else {
    sendJson(res, 500, { error: 'internal error: see the app log' });
  }
}
