import { Logger, type Provider } from '@nestjs/common';
import { Redis } from 'ioredis';
import { GatewayConfig } from '../config/gateway-config.js';

export const CACHE_REDIS = Symbol('CACHE_REDIS');

/**
 * The cache's Redis connection, or null without REDIS_URL. Kept to this one provider so that it can
 * be swapped for the gateway's shared Redis client. Commands fail fast while Redis is away (no
 * offline queue, a short timeout) so that a request waits on the cache for at most that long.
 */
export const cacheRedisProvider: Provider = {
  provide: CACHE_REDIS,
  inject: [GatewayConfig],
  useFactory: (config: GatewayConfig): Redis | null => {
    if (!config.redisUrl) return null;
    const logger = new Logger('ResponseCache');
    const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 500, connectionName: 'api-gateway-cache' });
    let down = false;
    redis.on('error', (error: Error) => {
      if (!down) logger.warn(`Redis unavailable: ${error.message}; caching is bypassed until it is back`);
      down = true;
    });
    redis.on('ready', () => {
      if (down) logger.log('Redis is back; caching resumes');
      down = false;
    });
    return redis;
  },
};
