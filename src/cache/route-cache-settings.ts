/** A route's response cache policy as stored and shown (snake_case, defaults filled in). */
export interface RouteCacheSettings {
  enabled: boolean;
  ttl_s: number;
  /** Request header names (lower case) whose values select a cache variant. */
  vary: string[];
  cache_authenticated: boolean;
  max_body_bytes: number;
}

export const CACHE_DEFAULTS = { ttl_s: 60, max_body_bytes: 1_048_576 } as const;
export const CACHE_LIMITS = { maxTtlS: 86_400, maxBodyBytes: 16_777_216, maxVary: 16 } as const;

export function cacheSettingsOf(input: Partial<RouteCacheSettings> | null | undefined): RouteCacheSettings | null {
  if (!input) return null;
  return {
    enabled: input.enabled ?? true,
    ttl_s: input.ttl_s ?? CACHE_DEFAULTS.ttl_s,
    vary: [...new Set((input.vary ?? []).map((h) => h.toLowerCase()))].sort(),
    cache_authenticated: input.cache_authenticated ?? false,
    max_body_bytes: input.max_body_bytes ?? CACHE_DEFAULTS.max_body_bytes,
  };
}
