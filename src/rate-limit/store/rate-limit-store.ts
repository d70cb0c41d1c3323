/**
 * The counter store behind rate limiting: Redis when REDIS_URL is set (shared by every instance),
 * else in process. A request's limits are checked together, atomically, in one call (one Redis
 * round trip): either every counter admits it and each takes one, or none takes anything.
 */
export const RATE_LIMIT_STORE = Symbol('RATE_LIMIT_STORE');

export const RATE_LIMIT_ALGORITHMS = ['sliding_window', 'token_bucket'] as const;
export type RateLimitAlgorithm = (typeof RATE_LIMIT_ALGORITHMS)[number];

/** One counter and the limit it is held to. */
export interface LimitCheck {
  /** Without REDIS_KEY_PREFIX (the store adds it); short and printable (the caller hashes long values). */
  readonly key: string;
  readonly algorithm: RateLimitAlgorithm;
  /**
   * sliding_window: at most `limit` requests in any `windowMs` span (a log of admissions, exact at
   * every instant: no double burst across a boundary).
   * token_bucket: refills `limit` tokens per `windowMs`, holds at most `burst`.
   */
  readonly limit: number;
  readonly windowMs: number;
  /** token_bucket capacity (>= 1); ignored by sliding_window. */
  readonly burst: number;
}

export interface LimitState {
  readonly allowed: boolean;
  /** Requests this counter would still admit now (after this request when it was admitted). */
  readonly remaining: number;
  /** ms until the counter is back at its full allowance (RateLimit-Reset). */
  readonly resetMs: number;
  /** When refused: ms until this counter admits one request again; else 0. */
  readonly retryAfterMs: number;
}

export interface LimitDecision {
  /** Every counter admitted the request (and each took one). */
  readonly allowed: boolean;
  /** One per check, in the order given. */
  readonly states: readonly LimitState[];
  /** The first check that refused, or -1. */
  readonly refusedIndex: number;
  /** Which store decided: `memory` during a Redis outage in the default fail mode. */
  readonly store: 'redis' | 'memory';
}

export interface RateLimitStore {
  /** Checks every counter and, only when all admit, takes one from each. */
  consume(checks: readonly LimitCheck[]): Promise<LimitDecision>;
  /** The same answer without taking anything (the status endpoint). */
  peek(checks: readonly LimitCheck[]): Promise<LimitDecision>;
}

/** Redis is away and RATE_LIMIT_FAIL_MODE=closed: the request is refused (503), not let through. */
export class RateLimitStoreUnavailable extends Error {
  constructor(cause: unknown) {
    super('the rate-limit store is unavailable', { cause });
    this.name = 'RateLimitStoreUnavailable';
  }
}
