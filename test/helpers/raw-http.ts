import http from 'node:http';

/** What {@link rawPost} saw: the status (null when the connection ended without an answer), the body, and bytes written. */
export interface RawAnswer {
  status: number | null;
  text: string;
  /** Body bytes handed to the socket before the answer arrived or the connection ended. */
  written: number;
  /** ms from the first byte sent to the answer's headers (or the end). */
  ms: number;
  /** Why there was no answer (the socket error), when there was none. */
  error?: string;
}

/**
 * POSTs `size` body bytes from `body` (repeated as needed) in chunks of `chunkBytes`,
 * `pauseMs` apart, and stops writing as soon as an answer arrives (like GitHub's sender
 * on a 413). `contentLength` false sends the body chunked. Never throws: a reset
 * connection gives `status: null` unless an answer came first.
 */
export function rawPost(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  options: { size?: number; chunkBytes?: number; pauseMs?: number; contentLength?: number | false; abortAfterBytes?: number } = {},
): Promise<RawAnswer> {
  const size = options.size ?? body.length;
  const chunk = options.chunkBytes ?? 256 * 1024;
  const declared = options.contentLength === undefined ? size : options.contentLength;
  const started = Date.now();
  return new Promise((resolve) => {
    let written = 0;
    let answered = false;
    let done = false;
    let status: number | null = null;
    let error: string | undefined;
    const finish = (text: string) => {
      if (done) return;
      done = true;
      resolve({ status, text, written, ms: Date.now() - started, ...(error && status === null ? { error } : {}) });
    };
    // A connection of its own (no keep-alive pool): one request's fate never touches another's.
    const req = http.request(url, {
      method: 'POST',
      agent: false,
      headers: { ...headers, ...(declared === false ? {} : { 'content-length': String(declared) }) },
    });
    req.on('response', (res) => {
      answered = true;
      status = res.statusCode ?? null;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => finish(text));
      res.on('error', () => finish(text));
      res.on('close', () => finish(text));
    });
    req.on('error', (e) => {
      error = (e as NodeJS.ErrnoException).code ?? e.message;
      if (!answered) finish('');
    });
    // Closed before an answer: the connection ended (an answer, once started, finishes on its own 'end').
    req.on('close', () => {
      if (!answered) finish('');
    });
    const writeMore = () => {
      if (answered || done) return;
      if (options.abortAfterBytes !== undefined && written >= options.abortAfterBytes) {
        req.destroy();
        return;
      }
      if (written >= size) {
        req.end();
        return;
      }
      const n = Math.min(chunk, size - written);
      const offset = written % body.length;
      const piece =
        offset + n <= body.length ? body.subarray(offset, offset + n) : Buffer.concat([body.subarray(offset), body.subarray(0, n - (body.length - offset))]);
      written += n;
      const ok = req.write(piece);
      const next = () => (options.pauseMs ? setTimeout(writeMore, options.pauseMs) : setImmediate(writeMore));
      if (ok) next();
      else req.once('drain', next);
    };
    writeMore();
  });
}
