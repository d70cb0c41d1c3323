import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CacheFill } from '../cache/cache-fill.js';
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
  /** The peer's address, read at arrival (the socket is gone by the time the access line is written). */
  readonly clientIp: string;
  match?: RouteMatch;
  /** Filled by the proxy phase for the access log. */
  target?: UpstreamTarget;
  upstreamMs?: number;
  attempts: number;
  /** Set by a phase that answered the request itself: the pipeline stops there, without an error. */
  answered?: boolean;
  /** X-Cache of a route that caches, for the access log. */
  cacheStatus?: 'HIT' | 'MISS' | 'BYPASS';
  /** A cache MISS that may be stored: the forwarder hands it the upstream answer. */
  cacheFill?: CacheFill;
}

/**
 * One step of the data plane, in the fixed order of the pipeline (see pipeline.ts). It either
 * returns to let the request go on, throws a GatewayError to answer it with an error, or answers
 * it itself (a cache HIT) and sets `context.answered` so that nothing after it runs.
 */
export interface RequestPhase {
  readonly name: string;
  run(context: RequestContext): void | Promise<void>;
}
