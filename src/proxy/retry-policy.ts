import type { IncomingHttpHeaders } from 'node:http';
import type { CompiledRoute } from '../routing/table/compiled-route.js';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const RETRYABLE_STATUS = new Set([502, 503, 504]);
const BACKOFF_BASE_MS = 25;
const BACKOFF_CAP_MS = 1_000;

/** What a request carries, as far as repeating it goes. */
export const enum RequestBody {
  None = 0,
  /** Has a Content-Length within the service's retry buffer: can be read whole and resent. */
  Bufferable = 1,
  /** Chunked or larger than the buffer: streamed once, never repeated. */
  Streamed = 2,
}

export function requestBodyOf(headers: IncomingHttpHeaders, bufferBytes: number): RequestBody {
  if (headers['transfer-encoding'] !== undefined) return RequestBody.Streamed;
  const length = headers['content-length'];
  if (length === undefined || length === '0') return RequestBody.None;
  const bytes = Number(length);
  return bytes > 0 && bytes <= bufferBytes ? RequestBody.Bufferable : RequestBody.Streamed;
}

/**
 * How many attempts a request may take: 1 + retries when repeating it is safe: an idempotent
 * method (or a route that opted in to retrying the others) and a body that can be sent again.
 */
export function maxAttempts(method: string, body: RequestBody, route: CompiledRoute): number {
  if (route.retries === 0 || body === RequestBody.Streamed) return 1;
  if (!IDEMPOTENT.has(method) && !route.retryNonIdempotent) return 1;
  return 1 + route.retries;
}

/** An upstream answer worth another attempt (on another target when there is one). */
export const isRetryableStatus = (status: number) => RETRYABLE_STATUS.has(status);

/** Exponential backoff with full jitter: uniform in [0, min(cap, base·2^retry)]. */
export function backoffMs(retry: number, random: () => number = Math.random): number {
  return random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** retry);
}
