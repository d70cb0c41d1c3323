import { waitMs } from './limit-decision.js';
import type { LimitState } from './rate-limit-store.js';

/**
 * A token bucket: refills `limit` tokens per `windowMs` (fractions included), holds at most
 * `burst`, and a request takes one. A bucket nobody has used yet is full. The same arithmetic runs
 * in Redis (limit-script.ts); keep the two in step.
 */
export interface TokenBucket {
  tokens: number;
  atMs: number;
}

export interface TokenBucketLimit {
  readonly limit: number;
  readonly windowMs: number;
  readonly burst: number;
}

// Refill arithmetic in floating point can leave 0.9999999999 where 1 was meant.
const EPSILON = 1e-9;

/** Tokens in the bucket at `nowMs` (a clock that stepped back refills nothing). */
export function tokensAt(bucket: TokenBucket | undefined, { limit, windowMs, burst }: TokenBucketLimit, nowMs: number): number {
  if (!bucket) return burst;
  const elapsedMs = Math.max(0, nowMs - bucket.atMs);
  return Math.min(burst, bucket.tokens + (elapsedMs * limit) / windowMs);
}

/** The counter's answer holding `tokens`; with `take`, an admitted request's token is already taken in the answer. */
export function tokenBucketState(tokens: number, { limit, windowMs, burst }: TokenBucketLimit, take: boolean): LimitState {
  const msPerToken = windowMs / limit;
  const allowed = tokens >= 1 - EPSILON;
  const left = allowed && take ? tokens - 1 : tokens;
  return {
    allowed,
    remaining: Math.max(0, Math.floor(left + EPSILON)),
    resetMs: waitMs((burst - left) * msPerToken - EPSILON),
    retryAfterMs: allowed ? 0 : waitMs((1 - tokens) * msPerToken - EPSILON),
  };
}

/** How long an idle bucket must be kept: once full again it is no different from a new one. */
export const tokenBucketTtlMs = (left: number, { limit, windowMs, burst }: TokenBucketLimit): number =>
  waitMs(((burst - left) * windowMs) / limit) + 1_000;
