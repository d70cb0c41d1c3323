import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CacheFill } from '../cache/cache-fill.js';
import type { Socket } from 'node:net';
import type { Span } from '@opentelemetry/api';
import type { RouteMatch, UpstreamTarget } from '../routing/table/compiled-route.js';
import type { UpstreamExchange } from './upstream-exchange.js';

/** Who is calling, as the auth phase established it; read by later phases, the upstream headers and the access log. */
export interface Identity {
  readonly method: 'jwt' | 'api_key';
  /** The consumer the credential belongs to: an API key, or a token the gateway issued. */
  readonly consumerId: string | null;
  /** The token's `sub`; for a consumer, its custom_id, else its id. */
  readonly subject: string;
  readonly scopes: ReadonlySet<string>;
  /** The values sent upstream, made header-safe once when the identity was built. */
  readonly headers: { readonly userId: string; readonly scopes: string };
}

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
  /** The client's address: the peer's, or from X-Forwarded-For when the peer is a trusted proxy. */
  readonly clientIp: string;
  /** `socket.bytesRead` when the previous request on the connection ended (see common/socket-bytes.ts). */
  readonly bytesReadBefore: number;
  /** `socket.bytesWritten` at arrival: the response's bytes are what the socket is given after it. */
  readonly bytesWrittenBefore: number;
  /** The TCP peer's address, read at arrival (the socket is gone by the time the access line is written). */
  readonly peerIp: string;
  /** The request is a CORS preflight for a route with CORS on (matched by the method it asks about). */
  preflight?: boolean;
  /** Access-Control-Allow-Origin for the response, set by the CORS phase for an allowed origin. */
  corsOrigin?: string;
  /** The request became a WebSocket tunnel (101 from the upstream). */
  upgraded?: boolean;
  match?: RouteMatch;
  /** Set by the auth phase when a credential was accepted; read by the access log and upstream identity headers. */
  identity?: Identity;
  /** The id of the API key the caller authenticated with (rate limits per key). */
  apiKeyId?: string;
  /** Headers a phase puts on the response whoever answers it (the upstream, the cache, an error): RateLimit-*. */
  phaseHeaders?: Record<string, string>;
  /** Set by the auth phase when a credential was refused: a bounded word such as `expired`. */
  authFailure?: string;
  /** Request headers the upstream must not see (credentials), lower-cased; set by the auth phase. */
  withheldHeaders?: ReadonlySet<string>;
  /** Filled by the proxy phase for the access log. */
  target?: UpstreamTarget;
  /** The last upstream attempt, from sending the request to its response headers (or to its failure). */
  upstreamMs?: number;
  attempts: number;
  /** Set by a phase that answered the request itself (a preflight, a cache HIT): the pipeline stops there, without an error. */
  answered?: boolean;
  /** X-Cache of a route that caches, for the access log. */
  cacheStatus?: 'HIT' | 'MISS' | 'BYPASS';
  /** A cache MISS that may be stored: the forwarder hands it the upstream answer. */
  cacheFill?: CacheFill;
  /** The gateway's SERVER span, when tracing is on. */
  span?: Span;
  /** The upstream attempt under way: aborted when the client goes away before its response is complete. */
  exchange?: UpstreamExchange;
  /** The CLIENT span of the upstream attempt under way; ended with the request at the latest. */
  upstreamSpan?: Span;
  /** The trace the request belongs to: the span's, or the incoming `traceparent`'s when tracing is off. */
  traceId?: string;
}

/**
 * One step of the data plane, in the fixed order of the pipeline (see pipeline.ts). It either
 * returns to let the request go on, throws a GatewayError to answer it with an error, or answers
 * it itself (a CORS preflight, a cache HIT) and sets `context.answered` so that nothing after it runs.
 */
export interface RequestPhase {
  readonly name: string;
  /** When present and false for a request, the phase is skipped (no span, no call): a cheap precompiled check. */
  appliesTo?(context: RequestContext): boolean;
  run(context: RequestContext): void | Promise<void>;
  /**
   * Called when an earlier phase refused the request (threw), before the refusal is answered; may
   * throw a refusal of its own instead. Rate limiting counts failed authentications this way.
   */
  onEarlierRefusal?(context: RequestContext, error: unknown): void | Promise<void>;
}
