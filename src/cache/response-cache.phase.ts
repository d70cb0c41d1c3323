import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { GatewayEvents } from '../common/gateway-events.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { addEdgeHeaders } from '../edge/edge-headers.js';
import type { RequestContext, RequestPhase } from '../proxy/request-context.js';
import { requestHost } from '../routing/table/host-pattern.js';
import { headerValue, requestCacheMode } from './cache-control.js';
import { CacheFill } from './cache-fill.js';
import type { CompiledCachePolicy } from './compiled-cache-policy.js';
import { type CachedResponse, RESPONSE_CACHE_STORE, type ResponseCacheStore } from './response-cache-store.js';

export const CACHE_HEADER = 'x-cache';
const STORE_WARNING_INTERVAL_MS = 10_000;

/** The entry key of one request: host, path and query, and the route's Vary headers' values. */
export function variantKeyOf(req: IncomingMessage, path: string, query: string, vary: readonly string[]): string {
  const hash = createHash('sha256').update(requestHost(req.headers.host)).update('\n').update(path).update(query);
  for (const name of vary) hash.update('\n').update(name).update('=').update(headerValue(req.headers, name));
  return hash.digest('base64url');
}

function upstreamVaryMatches(entry: CachedResponse, req: IncomingMessage): boolean {
  for (const name in entry.upstreamVary) if (headerValue(req.headers, name) !== entry.upstreamVary[name]) return false;
  return true;
}

/**
 * Response caching, the last phase (after auth and rate limiting, so a cached answer is never
 * served to a request they refuse). A HIT answers from the store and ends the request; a MISS
 * leaves a CacheFill on the context for the forwarder. A route without caching costs one check.
 * When the store fails the request goes upstream uncached (X-Cache: BYPASS): caching is an
 * optimisation, never a reason to fail a request.
 */
@Injectable()
export class ResponseCachePhase implements RequestPhase, OnModuleDestroy {
  readonly name = 'response-cache';
  private readonly logger = new Logger('ResponseCache');
  private enabled = true;
  private lastWarning = 0;
  private readonly unsubscribe: () => void;
  private readonly onSaveError = (error: unknown) => this.warn('could not store a cache entry', error);
  private readonly apiKeyHeader: string;

  constructor(
    @Inject(RESPONSE_CACHE_STORE) private readonly store: ResponseCacheStore,
    events: GatewayEvents,
    config: GatewayConfig,
  ) {
    this.apiKeyHeader = config.apiKeyHeader;
    this.unsubscribe = events.on('settings.applied', (settings) => {
      this.enabled = settings.response_cache_enabled;
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /** Routes without caching pay this one check, and get no span. */
  appliesTo(context: RequestContext): boolean {
    return context.match!.route.cache !== null;
  }

  run(context: RequestContext): void | Promise<void> {
    const policy = context.match!.route.cache;
    if (policy === null) return;
    const method = context.req.method;
    // A WebSocket handshake (a GET with Upgrade) is a tunnel to open, never an answer to replay.
    if ((method !== 'GET' && method !== 'HEAD') || context.req.headers.upgrade !== undefined) return;
    if (!this.enabled || (!policy.cacheAuthenticated && this.isAuthenticated(context)) || context.req.headers.range !== undefined) {
      return this.bypass(context);
    }
    const mode = requestCacheMode(context.req.headers);
    if (mode === 'bypass') return this.bypass(context);
    return this.lookup(context, policy, mode === 'refresh');
  }

  /**
   * Whether the request carries credentials: an identity the auth phase established, or raw ones a
   * route that does not check them (auth methods: []) may forward to its upstream.
   */
  private isAuthenticated(context: RequestContext): boolean {
    if (context.identity !== undefined) return true;
    const headers = context.req.headers;
    return headers.authorization !== undefined || headers[this.apiKeyHeader] !== undefined;
  }

  private bypass(context: RequestContext): void {
    context.cacheStatus = 'BYPASS';
    context.res.setHeader(CACHE_HEADER, 'BYPASS');
  }

  private async lookup(context: RequestContext, policy: CompiledCachePolicy, refresh: boolean): Promise<void> {
    const { req, res } = context;
    const route = context.match!.route;
    const variantKey = variantKeyOf(req, context.path, context.query, policy.vary);
    let found;
    try {
      found = await this.store.lookup(route.id, variantKey);
    } catch (error) {
      this.warn('the cache store did not answer; serving uncached', error);
      return this.bypass(context);
    }
    const { entry } = found;
    if (entry && !refresh && upstreamVaryMatches(entry, req)) {
      const headers: Record<string, string | string[] | undefined> = {
        ...entry.headers,
        'content-length': String(entry.body.length),
        age: String(Math.max(0, Math.floor((Date.now() - entry.storedAt) / 1000))),
        [CACHE_HEADER]: 'HIT',
        'x-request-id': context.requestId,
      };
      // Stored without them: CORS (for this request's Origin) and security headers are per request.
      addEdgeHeaders(headers, context);
      res.writeHead(entry.status, headers);
      res.end(req.method === 'HEAD' ? undefined : entry.body);
      context.cacheStatus = 'HIT';
      context.answered = true;
      return;
    }
    context.cacheStatus = refresh ? 'BYPASS' : 'MISS';
    res.setHeader(CACHE_HEADER, context.cacheStatus);
    // A HEAD answer has no body to keep.
    if (req.method === 'GET') context.cacheFill = new CacheFill(this.store, route.id, found.generation, variantKey, policy, req.headers, this.onSaveError);
  }

  private warn(message: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < STORE_WARNING_INTERVAL_MS) return;
    this.lastWarning = now;
    this.logger.warn(`${message}: ${(error as Error).message}`);
  }
}
