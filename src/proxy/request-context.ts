import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteMatch, UpstreamTarget } from '../routing/table/compiled-route.js';

/** What one proxied request carries through the pipeline; each phase reads and adds to it. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  /** performance.now() at arrival. */
  readonly startedAt: number;
  /** The path as sent, without the query. */
  readonly path: string;
  /** `?a=1` or `''`. */
  readonly query: string;
  /** The client's address: the peer's, or from X-Forwarded-For when the peer is a trusted proxy. */
  readonly clientIp: string;
  /** The TCP peer's address, read at arrival (the socket is gone by the time the access line is written). */
  readonly peerIp: string;
  /** The request is a CORS preflight for a route with CORS on (matched by the method it asks about). */
  preflight?: boolean;
  /** Access-Control-Allow-Origin for the response, set by the CORS phase for an allowed origin. */
  corsOrigin?: string;
  /** The request became a WebSocket tunnel (101 from the upstream). */
  upgraded?: boolean;
  /** A phase wrote the whole response itself (a preflight): the pipeline stops there. */
  answered?: boolean;
  match?: RouteMatch;
  /** Filled by the proxy phase for the access log. */
  target?: UpstreamTarget;
  upstreamMs?: number;
  attempts: number;
}

/**
 * One step of the data plane, in the fixed order of the pipeline (see pipeline.ts). It either
 * returns to let the request go on, or throws a GatewayError to answer it.
 */
export interface RequestPhase {
  readonly name: string;
  run(context: RequestContext): void | Promise<void>;
}
