import type { ThrottlerStorage } from '@nestjs/throttler';
import type { RateLimitStore } from './rate-limit-store.js';

// Not exported by the package's entry point.
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const seconds = (ms: number) => Math.ceil(ms / 1_000);

/**
 * @nestjs/throttler's storage on the gateway's counters, so that the control plane's
 * ThrottlerGuard counts in the same (shared) store as the data plane. Each `increment` is one
 * sliding_window consume of `limit` per `ttl` ms.
 *
 * Differences from the throttler's own in-memory storage, which the model does not express:
 * - blockDuration is not kept separately: a refused caller is admitted again as soon as the window
 *   has room (when the hit that must leave does leave), which is at most `ttl` (the throttler's
 *   default blockDuration) and sooner when earlier hits leave first.
 * - totalHits of a refused call is `limit + 1` (the throttler reports hits + 1): the store does not
 *   count refused requests.
 * - timeToExpire is when the whole window is empty again (RateLimit-Reset), rounded up to seconds.
 */
export class ThrottlerStorageAdapter implements ThrottlerStorage {
  constructor(
    private readonly store: RateLimitStore,
    private readonly keyPrefix = 'throttler:',
  ) {}

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const decision = await this.store.consume([{ key: `${this.keyPrefix}${throttlerName}:${key}`, algorithm: 'sliding_window', limit, windowMs: ttl, burst: limit }]);
    const [state] = decision.states;
    return {
      totalHits: state.allowed ? limit - state.remaining : limit + 1,
      timeToExpire: seconds(state.resetMs),
      isBlocked: !state.allowed,
      timeToBlockExpire: state.allowed ? 0 : seconds(state.retryAfterMs),
    };
  }
}
