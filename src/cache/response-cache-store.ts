/** One cached answer: what the client is sent on a HIT, plus what selects it. */
export interface CachedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: Buffer;
  /** Date.now() when stored, for the Age header. */
  readonly storedAt: number;
  /**
   * The upstream's own Vary header names and the values the filling request had for them: a later
   * request with other values is a MISS (one variant per key for upstream-chosen headers).
   */
  readonly upstreamVary: Readonly<Record<string, string>>;
}

export interface CacheLookup {
  /** The route's purge generation the lookup saw; a fill stores under it. */
  readonly generation: string;
  readonly entry: CachedResponse | undefined;
}

/**
 * Where cached answers live: Redis when REDIS_URL is set (shared by every instance), else an
 * in-process LRU. Entries are namespaced by route and a per-route generation, so a purge is one
 * increment and stale entries age out by their TTL.
 */
export interface ResponseCacheStore {
  readonly kind: 'redis' | 'memory';
  /** One round trip: the route's generation and the entry under it. */
  lookup(routeId: string, variantKey: string): Promise<CacheLookup>;
  save(routeId: string, generation: string, variantKey: string, entry: CachedResponse, ttlMs: number): Promise<void>;
  purge(routeId: string): Promise<void>;
}

export const RESPONSE_CACHE_STORE = Symbol('RESPONSE_CACHE_STORE');
