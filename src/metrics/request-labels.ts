/**
 * Label values of the per-request series, all from small fixed sets or from configuration (route
 * and service names), never from the request itself: a client cannot create series.
 */

/** Route and service label of a request no route matched. A leading "_" cannot start a configured name. */
export const UNMATCHED = '_unmatched';

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT', 'OTHER'] as const;
const OTHER = METHODS.length - 1;

/** Index into METHODS; any method outside the standard ones is OTHER. */
export function methodIndex(method: string | undefined): number {
  switch (method) {
    case 'GET':
      return 0;
    case 'HEAD':
      return 1;
    case 'POST':
      return 2;
    case 'PUT':
      return 3;
    case 'DELETE':
      return 4;
    case 'PATCH':
      return 5;
    case 'OPTIONS':
      return 6;
    case 'TRACE':
      return 7;
    case 'CONNECT':
      return 8;
    default:
      return OTHER;
  }
}

/**
 * `aborted` is a response that did not complete: the client went away, or the upstream cut the
 * body after its headers had been sent. The others are the status code's class.
 */
export const STATUS_CLASSES = ['aborted', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];
export const ABORTED = 0;
export const CLIENT_ERROR = 4;
export const SERVER_ERROR = 5;

/** Index into STATUS_CLASSES. */
export function statusClassIndex(finished: boolean, status: number): number {
  if (!finished) return ABORTED;
  const hundreds = (status / 100) | 0;
  return hundreds >= 1 && hundreds <= 5 ? hundreds : SERVER_ERROR;
}
