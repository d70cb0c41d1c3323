import { LRUCache } from 'lru-cache';
import { decisionOf } from './limit-decision.js';
import type { LimitCheck, LimitDecision, LimitState, RateLimitStore } from './rate-limit-store.js';
import { recordAdmission, slidingLogState } from './sliding-log.js';
import { type TokenBucket, tokenBucketState, tokenBucketTtlMs, tokensAt } from './token-bucket.js';

// Enough for every client of a busy instance; past it the least recently used counter is
// forgotten (that client starts afresh) rather than the process growing without bound.
const DEFAULT_MAX_COUNTERS = 100_000;

type Counter = number[] | TokenBucket;

/**
 * The same counters in process: for a gateway without REDIS_URL, and for deciding per instance
 * while Redis is away. Single-threaded, so evaluating every counter and then taking from each is
 * atomic without more ado. Idle counters expire (an emptied log or a refilled bucket is the same as
 * none), and the cache never holds more than `maxCounters`.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly counters: LRUCache<string, Counter>;

  constructor(options: { maxCounters?: number } = {}) {
    this.counters = new LRUCache({ max: options.maxCounters ?? DEFAULT_MAX_COUNTERS });
  }

  /** Counters held now, expired ones not yet evicted included. */
  get size(): number {
    return this.counters.size;
  }

  async consume(checks: readonly LimitCheck[]): Promise<LimitDecision> {
    return this.decide(checks, true);
  }

  async peek(checks: readonly LimitCheck[]): Promise<LimitDecision> {
    return this.decide(checks, false);
  }

  private decide(checks: readonly LimitCheck[], take: boolean): LimitDecision {
    const nowMs = Date.now();
    const keys = checks.map((check) => `${check.algorithm}:${check.key}`);
    // As in Redis: evaluate every counter first, take from them only when all admit.
    const peeks = checks.map((check, i) => this.state(keys[i], check, nowMs, false));
    if (!take || !peeks.every((state) => state.allowed)) return decisionOf(peeks, 'memory');
    const states = checks.map((check, i) => {
      const state = this.state(keys[i], check, nowMs, true);
      this.take(keys[i], check, nowMs);
      return state;
    });
    return decisionOf(states, 'memory');
  }

  private state(key: string, check: LimitCheck, nowMs: number, take: boolean): LimitState {
    const counter = this.counters.get(key);
    if (check.algorithm === 'sliding_window') return slidingLogState((counter as number[] | undefined) ?? [], check.limit, check.windowMs, nowMs, take);
    return tokenBucketState(tokensAt(counter as TokenBucket | undefined, check, nowMs), check, take);
  }

  private take(key: string, check: LimitCheck, nowMs: number): void {
    if (check.algorithm === 'sliding_window') {
      const log = (this.counters.get(key) as number[] | undefined) ?? [];
      recordAdmission(log, check.windowMs, nowMs);
      this.counters.set(key, log, { ttl: check.windowMs });
      return;
    }
    const tokens = tokensAt(this.counters.get(key) as TokenBucket | undefined, check, nowMs) - 1;
    this.counters.set(key, { tokens, atMs: nowMs }, { ttl: tokenBucketTtlMs(tokens, check) });
  }
}
