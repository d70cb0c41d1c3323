import { compileLimit, type CompiledLimit, type RateLimitScope, type RouteRateLimit } from './limit-settings.js';

/** A route's `rate_limits` by scope, for the route table; null when it has none. */
export function compileRouteRateLimits(routeName: string, limits: readonly RouteRateLimit[] | undefined): Readonly<Partial<Record<RateLimitScope, CompiledLimit>>> | null {
  if (!limits || limits.length === 0) return null;
  const byScope: Partial<Record<RateLimitScope, CompiledLimit>> = {};
  for (const entry of limits) byScope[entry.scope] = compileLimit(entry.scope, 'route', null, routeName, entry);
  return Object.freeze(byScope);
}
