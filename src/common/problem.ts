import type { ServerResponse } from 'node:http';
import { ERROR_STATUS, ERROR_TITLE, type ErrorCode } from './error-codes.js';
import type { FieldError } from './gateway-error.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details with the gateway's `code` and `request_id` members. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: ErrorCode;
  request_id: string;
  errors?: FieldError[];
  retry_after_seconds?: number;
  [extension: string]: unknown;
}

export function problem(
  code: ErrorCode,
  detail: string,
  requestId: string,
  extras: { instance?: string; errors?: FieldError[]; retryAfterSeconds?: number; extensions?: Record<string, unknown> } = {},
): Problem {
  const body: Problem = {
    type: `https://gateway.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: ERROR_TITLE[code],
    status: ERROR_STATUS[code],
    detail,
    code,
    request_id: requestId,
  };
  if (extras.instance) body.instance = extras.instance;
  if (extras.errors?.length) body.errors = extras.errors;
  if (extras.retryAfterSeconds !== undefined) body.retry_after_seconds = extras.retryAfterSeconds;
  return extras.extensions ? { ...extras.extensions, ...body } : body;
}

/** Writes a problem on a raw response (the data plane has no Express response object). */
export function sendProblem(res: ServerResponse, body: Problem, headers: Record<string, string | string[]> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = JSON.stringify(body);
  const head: Record<string, string | string[] | number> = {
    ...headers,
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
  };
  if (body.retry_after_seconds !== undefined) head['retry-after'] = String(body.retry_after_seconds);
  res.writeHead(body.status, head);
  res.end(payload);
}
