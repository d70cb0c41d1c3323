import type { Socket } from 'node:net';

/**
 * Bytes on the wire per request, counted off the connection's own counters instead of through the
 * body streams (a counting stream per request would cost more than the proxying it measures).
 *
 * HTTP/1.1 answers the requests of one connection in turn, so a request's bytes in are what the
 * socket read between the end of the previous request on it and the end of this one (request line,
 * headers, body); its bytes out are what the socket was given between this request's start and end
 * (status line, headers, body, chunk framing). Every request of either plane marks its end
 * (`markRequestEnd`), so the figures are exact per request, and their sums are exact per connection
 * even under pipelining, where a request can be charged a neighbour's bytes.
 */
const READ_AT_LAST_END = Symbol('bytesReadAtLastRequestEnd');

type MarkedSocket = Socket & { [READ_AT_LAST_END]?: number };

/**
 * Called when a request of either plane ends. Takes the socket as captured at the request's
 * start: by the time a response closes, `req.socket` and `res.socket` may already be detached.
 */
export function markRequestEnd(socket: Socket): void {
  (socket as MarkedSocket)[READ_AT_LAST_END] = socket.bytesRead;
}

/** What the socket had read when the previous request on it ended (0 on a new connection). */
export function bytesReadBefore(socket: Socket): number {
  return (socket as MarkedSocket)[READ_AT_LAST_END] ?? 0;
}
