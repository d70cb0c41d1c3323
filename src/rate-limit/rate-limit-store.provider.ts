import type { OnApplicationShutdown, Provider } from '@nestjs/common';
import { GatewayEvents } from '../common/gateway-events.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { FallbackRateLimitStore } from './store/fallback-rate-limit.store.js';
import { MemoryRateLimitStore } from './store/memory-rate-limit.store.js';
import { RATE_LIMIT_STORE, type RateLimitStore } from './store/rate-limit-store.js';
import { RedisRateLimitStore } from './store/redis-rate-limit.store.js';

/** Decisions this instance made on its own counters because the shared store was away (a metric). */
export function localDecisionsOf(store: RateLimitStore): number {
  return store instanceof FallbackRateLimitStore ? store.fallbackDecisions : 0;
}

/**
 * Without REDIS_URL: counters in process (one instance). With it: Redis, on a fail-fast connection
 * of its own, and the in-process store standing in while Redis is away (RATE_LIMIT_FAIL_MODE=open)
 * or a 503 instead (closed). The store's connection closes with the application.
 */
export const rateLimitStoreProvider: Provider = {
  provide: RATE_LIMIT_STORE,
  inject: [GatewayConfig, GatewayEvents],
  useFactory: async (config: GatewayConfig, events: GatewayEvents): Promise<RateLimitStore & OnApplicationShutdown> => {
    const memory = new MemoryRateLimitStore();
    if (!config.redisUrl) return Object.assign(memory, { onApplicationShutdown: () => undefined });
    const redis = new RedisRateLimitStore({ url: config.redisUrl, keyPrefix: `${config.redisKeyPrefix}rl:`, commandTimeoutMs: config.rateLimitRedisTimeoutMs });
    // The first requests would otherwise count as an outage while the connection is still opening;
    // a Redis that is down at start is one (the gateway serves on, as during any outage).
    await redis.whenReady(2_000);
    const store = new FallbackRateLimitStore(redis, memory, {
      failMode: config.rateLimitFailMode,
      onStoreChange: (degraded) => events.emit('rate_limit.store', { degraded }),
    });
    return Object.assign(store, { onApplicationShutdown: () => redis.close() });
  },
};
