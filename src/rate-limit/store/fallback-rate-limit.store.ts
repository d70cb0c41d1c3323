import { Logger } from '@nestjs/common';
import type { MemoryRateLimitStore } from './memory-rate-limit.store.js';
import { type LimitCheck, type LimitDecision, type RateLimitStore, RateLimitStoreUnavailable } from './rate-limit-store.js';
import type { RedisRateLimitStore } from './redis-rate-limit.store.js';

/** RATE_LIMIT_FAIL_MODE: `open` decides per instance while Redis is away, `closed` refuses. */
export type RateLimitFailMode = 'open' | 'closed';

// Redis failed while its connection still says ready (a timeout, an error reply): no 'ready' event
// will tell when it is well again, so one request in this long tries it.
const PROBE_INTERVAL_MS = 1_000;

export interface FallbackRateLimitStoreOptions {
  readonly failMode: RateLimitFailMode;
  /** Told once when the shared counters are lost and once when they are back (`rate_limit.store`). */
  readonly onStoreChange?: (degraded: boolean) => void;
}

/**
 * Redis decides while it answers. When a call fails or the connection is not ready, the outage
 * starts: in `open` mode the in-process store decides (limits hold per instance), in `closed` mode
 * calls reject with RateLimitStoreUnavailable. Requests during an outage do not wait on Redis: it
 * is tried again when the client reconnects ('ready'), or now and then if the connection never
 * dropped. Each outage is logged and reported once when it starts and once when it ends.
 */
export class FallbackRateLimitStore implements RateLimitStore {
  /** Decisions the memory store made because Redis was away (for the metrics). */
  fallbackDecisions = 0;
  private readonly logger = new Logger('RateLimit');
  private degraded = false;
  private lastError: unknown;
  private nextProbeAt = 0;

  constructor(
    private readonly redis: RedisRateLimitStore,
    private readonly memory: MemoryRateLimitStore,
    private readonly options: FallbackRateLimitStoreOptions,
  ) {
    redis.client.on('ready', () => (this.nextProbeAt = 0));
  }

  get isDegraded(): boolean {
    return this.degraded;
  }

  consume(checks: readonly LimitCheck[]): Promise<LimitDecision> {
    return this.decide(checks, 'consume');
  }

  peek(checks: readonly LimitCheck[]): Promise<LimitDecision> {
    return this.decide(checks, 'peek');
  }

  private async decide(checks: readonly LimitCheck[], mode: 'consume' | 'peek'): Promise<LimitDecision> {
    if (this.shouldTryRedis()) {
      try {
        const decision = await this.redis[mode](checks);
        this.recovered();
        return decision;
      } catch (error) {
        this.lost(error);
      }
    } else if (!this.degraded) {
      this.lost(new Error(`the redis connection is ${this.redis.client.status}`));
    }
    if (this.options.failMode === 'closed') throw new RateLimitStoreUnavailable(this.lastError);
    this.fallbackDecisions++;
    return this.memory[mode](checks);
  }

  private shouldTryRedis(): boolean {
    if (this.redis.client.status !== 'ready') return false;
    if (!this.degraded) return true;
    const now = Date.now();
    if (now < this.nextProbeAt) return false;
    // This request probes; the others keep to memory until it has answered.
    this.nextProbeAt = now + PROBE_INTERVAL_MS;
    return true;
  }

  private lost(error: unknown): void {
    this.lastError = error;
    this.nextProbeAt = Date.now() + PROBE_INTERVAL_MS;
    if (this.degraded) return;
    this.degraded = true;
    const consequence = this.options.failMode === 'open' ? 'limits hold per instance until it is back' : 'requests are refused until it is back (fail mode closed)';
    this.logger.warn(`the shared rate-limit store is unavailable (${error instanceof Error ? error.message : String(error)}): ${consequence}`);
    this.options.onStoreChange?.(true);
  }

  private recovered(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.logger.log('the shared rate-limit store is back: limits hold across instances again');
    this.options.onStoreChange?.(false);
  }
}
