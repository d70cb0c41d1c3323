import type { RouteCacheSettings } from './route-cache-settings.js';

/** A route's cache policy as the data plane reads it; a route that does not cache has null. */
export interface CompiledCachePolicy {
  readonly ttlMs: number;
  /** Lower-case request header names, sorted. */
  readonly vary: readonly string[];
  readonly cacheAuthenticated: boolean;
  readonly maxBodyBytes: number;
}

export function compileCachePolicy(settings: RouteCacheSettings | null | undefined): CompiledCachePolicy | null {
  if (!settings?.enabled) return null;
  return Object.freeze({
    ttlMs: settings.ttl_s * 1000,
    vary: Object.freeze([...settings.vary]),
    cacheAuthenticated: settings.cache_authenticated,
    maxBodyBytes: settings.max_body_bytes,
  });
}
