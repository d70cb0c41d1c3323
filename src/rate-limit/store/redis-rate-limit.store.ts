import { Redis } from 'ioredis';
import { decisionOf } from './limit-decision.js';
import { LIMIT_SCRIPT } from './limit-script.js';
import type { LimitCheck, LimitDecision, LimitState, RateLimitStore } from './rate-limit-store.js';

// A request waits on the counters for at most this long by default; the fallback store then decides.
const DEFAULT_COMMAND_TIMEOUT_MS = 250;
const CONNECT_TIMEOUT_MS = 1_000;
const MAX_RECONNECT_DELAY_MS = 1_000;
const COMMAND = 'gatewayRateLimit';

type LimitCommand = (numberOfKeys: number, ...keysThenArgs: (string | number)[]) => Promise<number[]>;

/**
 * A connection of its own for rate limiting that fails fast while Redis is away (no offline queue,
 * one retry, a short timeout), so a request never waits long on its counters, and that reconnects
 * forever with a capped delay so that the counters come back without a restart.
 */
export function createRateLimitRedis(url: string, commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): Redis {
  return new Redis(url, {
    connectionName: 'api-gateway:rate-limit',
    // The checks of the requests that arrive in one event-loop turn go out in one write.
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
  });
}

export interface RedisRateLimitStoreOptions {
  /** REDIS_KEY_PREFIX plus the rate limiter's own part, e.g. `gw:rl:`. */
  readonly keyPrefix: string;
  /** A ready-made client (tests, a shared connection), or `url` to open a fail-fast one of its own. */
  readonly client?: Redis;
  readonly url?: string;
  /** For the connection opened from `url`: how long a call may wait before it counts as an outage. */
  readonly commandTimeoutMs?: number;
}

/**
 * Counters shared by every gateway instance: one Lua script per call (EVALSHA, EVAL when Redis
 * lost its script cache), so a request's counters are read and taken in one atomic round trip.
 * Failures reject; deciding what a lost Redis means is the fallback store's job.
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly client: Redis;
  private readonly owned: boolean;
  private readonly keyPrefix: string;
  private readonly limitCommand: LimitCommand;

  constructor(options: RedisRateLimitStoreOptions) {
    if (!options.client && !options.url) throw new Error('RedisRateLimitStore needs a client or a url');
    this.keyPrefix = options.keyPrefix;
    this.owned = !options.client;
    this.client = options.client ?? createRateLimitRedis(options.url!, options.commandTimeoutMs);
    // Outages are reported by whoever decides what they mean; without a listener ioredis prints each one.
    if (this.owned) this.client.on('error', () => {});
    this.client.defineCommand(COMMAND, { lua: LIMIT_SCRIPT });
    this.limitCommand = (this.client as unknown as Record<string, LimitCommand>)[COMMAND].bind(this.client);
    // Without an offline queue a lazy client would never connect: nothing is sent until it is ready.
    if (this.client.status === 'wait') this.client.connect().catch(() => {});
  }

  /**
   * Resolves true once the connection is ready (false after `timeoutMs`): calls made before that
   * fail at once, so a gateway starting up waits here rather than beginning with an outage.
   */
  async whenReady(timeoutMs = 2_000): Promise<boolean> {
    if (this.client.status === 'ready') return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), timeoutMs);
      const onReady = () => done(true);
      const done = (ready: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(ready);
      };
      this.client.on('ready', onReady);
    });
  }

  consume(checks: readonly LimitCheck[]): Promise<LimitDecision> {
    return this.run(checks, 'consume');
  }

  peek(checks: readonly LimitCheck[]): Promise<LimitDecision> {
    return this.run(checks, 'peek');
  }

  /** Closes the connection when the store opened it. */
  async close(): Promise<void> {
    if (this.owned) await this.client.quit().catch(() => this.client.disconnect());
  }

  private async run(checks: readonly LimitCheck[], mode: 'consume' | 'peek'): Promise<LimitDecision> {
    if (checks.length === 0) return decisionOf([], 'redis');
    // The algorithm is part of the key: a rule switched to the other algorithm starts a new
    // counter instead of meeting a key of the wrong Redis type.
    const keys = checks.map((check) => `${this.keyPrefix}${check.algorithm}:${check.key}`);
    const args = checks.flatMap((check) => [check.algorithm, check.limit, check.windowMs, check.burst]);
    const reply = await this.limitCommand(keys.length, ...keys, mode, ...args);
    const states: LimitState[] = checks.map((_, i) => ({
      allowed: reply[i * 4] === 1,
      remaining: reply[i * 4 + 1],
      resetMs: reply[i * 4 + 2],
      retryAfterMs: reply[i * 4 + 3],
    }));
    return decisionOf(states, 'redis');
  }
}
