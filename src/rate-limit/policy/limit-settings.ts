import { RATE_LIMIT_ALGORITHMS, type RateLimitAlgorithm } from '../store/rate-limit-store.js';

/** What a limit counts by. Every scope that applies to a request is checked, in one store call. */
export const RATE_LIMIT_SCOPES = ['global', 'ip', 'consumer', 'api_key', 'route', 'route_consumer'] as const;
export type RateLimitScope = (typeof RATE_LIMIT_SCOPES)[number];

/** The scopes a route may override for its own traffic (global is the whole gateway's by definition). */
export const ROUTE_OVERRIDE_SCOPES = ['ip', 'consumer', 'api_key', 'route', 'route_consumer'] as const;
export type RouteOverrideScope = (typeof ROUTE_OVERRIDE_SCOPES)[number];

export { RATE_LIMIT_ALGORITHMS, type RateLimitAlgorithm };

/** A limit as stored and shown (snake_case). */
export interface LimitSettings {
  limit: number;
  window_s: number;
  /** token_bucket only: how many requests may come at once (the bucket's size); null: `limit`. */
  burst: number | null;
  algorithm: RateLimitAlgorithm;
}

/** One entry of a route's `rate_limits`: this scope, on this route, counted apart and held to this limit. */
export interface RouteRateLimit extends LimitSettings {
  scope: RouteOverrideScope;
}

export const LIMIT_BOUNDS = {
  maxLimit: 1_000_000,
  /** A sliding window keeps one entry per admitted request in the window (that is what makes it exact). */
  maxSlidingLimit: 100_000,
  minWindowS: 0.1,
  maxWindowS: 86_400,
  maxBurst: 10_000_000,
} as const;

export const DEFAULT_ALGORITHM: RateLimitAlgorithm = 'sliding_window';

/** Rules across the fields of one limit (each field's own range is checked by its DTO). */
export function limitProblems(settings: LimitSettings, field = ''): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  if (settings.algorithm === 'sliding_window') {
    if (settings.burst !== null) problems.push({ field: `${field}burst`, message: `${field}burst applies to the token_bucket algorithm only (a sliding window admits at most limit per window)` });
    if (settings.limit > LIMIT_BOUNDS.maxSlidingLimit) {
      problems.push({ field: `${field}limit`, message: `${field}limit must be at most ${LIMIT_BOUNDS.maxSlidingLimit} for a sliding_window (it logs each request of the window); use token_bucket for more` });
    }
  }
  return problems;
}

/** A limit ready for the data plane: what the store is asked to check and how it is reported. */
export interface CompiledLimit {
  readonly scope: RateLimitScope;
  /** Where it comes from: an /admin/rate-limits rule, an environment default, or the route's own rate_limits. */
  readonly source: 'rule' | 'env' | 'route';
  readonly ruleId: string | null;
  readonly match: string;
  readonly algorithm: RateLimitAlgorithm;
  readonly limit: number;
  readonly windowMs: number;
  readonly burst: number;
  /** Part of the counter's key, so that a changed algorithm or window starts a fresh counter instead of misreading the old one. */
  readonly counterTag: string;
  /** `RateLimit-Policy` (`100;w=60`). */
  readonly policyHeader: string;
}

export function compileLimit(scope: RateLimitScope, source: CompiledLimit['source'], ruleId: string | null, match: string, settings: LimitSettings): CompiledLimit {
  const windowMs = Math.round(settings.window_s * 1000);
  const burst = settings.algorithm === 'token_bucket' ? (settings.burst ?? settings.limit) : settings.limit;
  const windowSeconds = Math.max(1, Math.round(settings.window_s));
  return Object.freeze({
    scope,
    source,
    ruleId,
    match,
    algorithm: settings.algorithm,
    limit: settings.limit,
    windowMs,
    burst,
    counterTag: `${settings.algorithm === 'token_bucket' ? 't' : 's'}${windowMs}`,
    policyHeader: settings.algorithm === 'token_bucket' ? `${settings.limit};w=${windowSeconds};burst=${burst}` : `${settings.limit};w=${windowSeconds}`,
  });
}
