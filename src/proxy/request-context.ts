import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Span } from '@opentelemetry/api';
import type { RouteMatch, UpstreamTarget } from '../routing/table/compiled-route.js';

/** What one proxied request carries through the pipeline; each phase reads and adds to it. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The connection, kept: `req.socket` is detached by the time the response closes. */
  readonly socket: Socket;
  readonly requestId: string;
  /** performance.now() at arrival. */
  readonly startedAt: number;
  /** The path as sent, without the query. */
  readonly path: string;
  /** `?a=1` or `''`. */
  readonly query: string;
  /** The peer's address, read at arrival (the socket is gone by the time the access line is written). */
  readonly clientIp: string;
  /** `socket.bytesRead` when the previous request on the connection ended (see common/socket-bytes.ts). */
  readonly bytesReadBefore: number;
  /** `socket.bytesWritten` at arrival: the response's bytes are what the socket is given after it. */
  readonly bytesWrittenBefore: number;
  match?: RouteMatch;
  /** Who the auth phase recognised; read by the access log, metrics and upstream identity headers. */
  identity?: RequestIdentity;
  /** Filled by the proxy phase for the access log. */
  target?: UpstreamTarget;
  /** The last upstream attempt, from sending the request to its response headers (or to its failure). */
  upstreamMs?: number;
  attempts: number;
  /** The gateway's SERVER span, when tracing is on. */
  span?: Span;
  /** The CLIENT span of the upstream attempt under way; ended with the request at the latest. */
  upstreamSpan?: Span;
  /** The trace the request belongs to: the span's, or the incoming `traceparent`'s when tracing is off. */
  traceId?: string;
}

export interface RequestIdentity {
  consumerId?: string;
  userId?: string;
  scopes?: string[];
}

/**
 * One step of the data plane, in the fixed order of the pipeline (see pipeline.ts). It either
 * returns to let the request go on, or throws a GatewayError to answer it.
 */
export interface RequestPhase {
  readonly name: string;
  run(context: RequestContext): void | Promise<void>;
}
