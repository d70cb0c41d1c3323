import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { GatewayConfig } from '../config/gateway-config.js';
import { CACHE_REDIS, cacheRedisProvider } from './cache-redis.provider.js';
import { MemoryCacheStore } from './memory-cache.store.js';
import { RedisCacheStore } from './redis-cache.store.js';
import { RESPONSE_CACHE_STORE, type ResponseCacheStore } from './response-cache-store.js';
import { ResponseCachePhase } from './response-cache.phase.js';

@Module({
  providers: [
    cacheRedisProvider,
    {
      provide: RESPONSE_CACHE_STORE,
      inject: [CACHE_REDIS, GatewayConfig],
      useFactory: (redis: Redis | null, config: GatewayConfig): ResponseCacheStore =>
        redis ? new RedisCacheStore(redis, config.redisKeyPrefix) : new MemoryCacheStore(config.cacheMemoryMaxBytes),
    },
    ResponseCachePhase,
  ],
  exports: [RESPONSE_CACHE_STORE, ResponseCachePhase],
})
export class CacheModule implements OnApplicationShutdown {
  constructor(@Inject(CACHE_REDIS) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
